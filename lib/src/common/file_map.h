// Read-only access to an input file's bytes: mapped for regular files, read for pipes ("-").
#pragma once

#include <filesystem>

#include "esign/bytes.h"

namespace esign {

class InputBytes {
 public:
  // Throws Error(input, path) when the file cannot be opened or read.
  static InputBytes open(const std::filesystem::path& path);
  InputBytes(InputBytes&& other) noexcept;
  InputBytes& operator=(InputBytes&&) = delete;
  InputBytes(const InputBytes&) = delete;
  ~InputBytes();

  ByteView bytes() const { return map_ ? ByteView(static_cast<const std::uint8_t*>(map_), size_) : ByteView(buffer_); }

 private:
  InputBytes() = default;
  void* map_ = nullptr;
  std::size_t size_ = 0;
  Bytes buffer_;
};

}  // namespace esign
