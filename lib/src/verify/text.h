// Text taken from signed files (field names, signer names, reasons, paths) is hostile: made safe
// here for XML reports and for terminal lines.
#pragma once

#include <string>
#include <string_view>

namespace esign::verify {

// As XML element content or attribute value: markup characters as entities; tab, line ends, DEL
// and the C1 controls as character references; characters XML 1.0 forbids and malformed UTF-8
// as U+FFFD. The result is well-formed whatever the input.
std::string xml_escape(std::string_view s);

}  // namespace esign::verify
