// Outputs that appear atomically: written to a temporary file beside the target, fsync'ed,
// renamed into place. A crash never leaves a half-written file under the final name.
#pragma once

#include <filesystem>
#include <string>

#include "esign/bytes.h"

namespace esign {

class OutputFile {
 public:
  // Prepares an output for `target`; "-" means standard output (written directly, no rename).
  // Throws Error(conflict) when `target` exists and `overwrite` is false (checked again at
  // commit, atomically), Error(input) when the folder is not writable.
  // `sync_folder`: fsync the folder after the rename (callers that commit many files may do it
  // once for all of them, before they record the files as written).
  OutputFile(std::filesystem::path target, bool overwrite, bool sync_folder = true);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // Removes the temporary file unless commit() succeeded.
  ~OutputFile();

  void write(ByteView data);
  // fsync, rename into place (no-clobber unless overwrite), fsync the folder.
  void commit();

  const std::filesystem::path& target() const { return target_; }
  bool to_stdout() const { return target_ == "-"; }

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool overwrite_;
  bool sync_folder_;
  int fd_ = -1;
  bool committed_ = false;
};

// Temporary files of OutputFile are named ".<target name>.esign-tmp-XXXXXX".
bool is_temporary_output(const std::filesystem::path& file);

// fsync of a folder, so that renames into it are durable.
void sync_folder(const std::filesystem::path& dir);

}  // namespace esign
