// Appearance streams for signature widgets (ISO 32000-1 §12.5.5, §12.7.4.5).
#pragma once

#include <string>

#include "pdf/object.h"

namespace esign::pdf {

// A form XObject of `width` x `height` points showing `text` (UTF-8, lines split at '\n') in
// Helvetica inside a framed box; an empty text gives an empty appearance (invisible signature).
Stream appearance_stream(double width, double height, const std::string& text);

}  // namespace esign::pdf
