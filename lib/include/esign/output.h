// Outputs that appear atomically: written to a temporary file beside the target, fsync'ed,
// renamed into place. A crash never leaves a half-written file under the final name.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>

#include "esign/bytes.h"

namespace esign {

class OutputFile {
 public:
  // Prepares an output for `target`; "-" means standard output (written directly, no rename).
  // Throws Error(conflict) when `target` exists and `overwrite` is false (checked again at
  // commit, atomically), Error(input) when the folder is not writable.
  // `mode`: the file's permissions from the moment it is created, less the process's umask
  // (0600 for secrets: never readable by others, whatever the umask).
  // `existing`: an existing target is refused now (before the caller does any work), or only at
  // commit by the no-clobber rename, for a caller that has just checked it (prepare_signature).
  enum class Existing { refuse_now, refuse_at_commit };
  OutputFile(std::filesystem::path target, bool overwrite, unsigned mode = 0644,
             Existing existing = Existing::refuse_now);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // Removes the temporary file unless commit() succeeded.
  ~OutputFile();

  void write(ByteView data);
  // Writes the parts in order, in as few system calls as the kernel allows (one writev).
  void write(std::initializer_list<ByteView> parts);
  // fsync, rename into place (no-clobber unless overwrite), fsync the folder.
  void commit();
  // Closes the temporary file without syncing or renaming it and hands it to the caller, who
  // makes it durable and moves it into place with commit_prepared() (bulk does that for many
  // files at once). Returns the temporary's path.
  std::filesystem::path release();

  const std::filesystem::path& target() const { return target_; }
  bool to_stdout() const { return target_ == "-"; }

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool overwrite_;
  int fd_ = -1;
  bool committed_ = false;
};

// Temporary files of OutputFile are named ".<target name>.esign-tmp-<process prefix><counter>".
bool is_temporary_output(const std::filesystem::path& file);

// fsync of a folder, so that renames into it are durable.
void sync_folder(const std::filesystem::path& dir);

// syncfs(2) of the filesystem holding `path`: every file written there so far is durable.
void sync_filesystem(const std::filesystem::path& path);

// Renames a released temporary onto `target` (no-clobber unless overwrite). The caller has made
// the temporary durable first and fsyncs the folder afterwards. Throws like commit(); the
// temporary is removed when the rename fails.
void commit_prepared(const std::filesystem::path& temp, const std::filesystem::path& target, bool overwrite);

}  // namespace esign
