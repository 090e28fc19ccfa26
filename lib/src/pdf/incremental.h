// Writing an incremental update (ISO 32000-1 §7.5.6): new and changed objects, a cross-reference
// section of the same kind as the newest one in the file, and a trailer pointing back with /Prev.
#pragma once

#include <map>
#include <string>

#include "pdf/document.h"

namespace esign::pdf {

class IncrementalUpdate {
 public:
  explicit IncrementalUpdate(const Document& base);

  // A new object; returns its reference (numbers continue after the base's /Size).
  Ref add(Object object);
  // A new object whose body (what goes between "N G obj" and "endobj") is given as text,
  // for callers that must know where each byte lands (the signature dictionary).
  Ref add_raw(std::string body);
  // Replaces an existing object as of this revision.
  void replace(Ref ref, Object object);

  // The bytes to append to the base file. After this call offset_of() gives, for each object
  // written, the absolute file offset of its body's first byte (just after "obj\n").
  std::string write();
  std::size_t body_offset(Ref ref) const { return body_offsets_.at(ref); }

 private:
  const Document& base_;
  std::uint32_t next_num_;
  std::map<Ref, std::string> bodies_;
  std::map<Ref, std::size_t> body_offsets_;
};

}  // namespace esign::pdf
