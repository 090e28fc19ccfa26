// Atomic outputs: temp file, fsync, no-clobber rename, folder fsync.
#include "esign/output.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "esign/error.h"

namespace esign {

namespace fs = std::filesystem;

namespace {
constexpr const char* kTempMarker = ".esign-tmp-";

std::string errno_text() { return std::strerror(errno); }

void rename_into_place(const fs::path& temp, const fs::path& target, bool overwrite) {
  int rc = overwrite ? ::rename(temp.c_str(), target.c_str())
                     : ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
  if (rc != 0) {
    if (errno == EEXIST) throw Error(Errc::conflict, target.string(), "output exists", Remedy::overwrite);
    throw Error(Errc::input, target.string(), "cannot move output into place: " + errno_text());
  }
}
}  // namespace

void sync_folder(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool is_temporary_output(const fs::path& file) {
  std::string name = file.filename().string();
  return !name.empty() && name[0] == '.' && name.find(kTempMarker) != std::string::npos;
}

OutputFile::OutputFile(fs::path target, bool overwrite, unsigned mode) : target_(std::move(target)), overwrite_(overwrite) {
  if (to_stdout()) {
    fd_ = STDOUT_FILENO;
    return;
  }
  if (!overwrite_ && fs::exists(target_))
    throw Error(Errc::conflict, target_.string(), "output exists", Remedy::overwrite);
  fs::path dir = target_.parent_path();
  std::string pattern = (dir / ("." + target_.filename().string() + kTempMarker + "XXXXXX")).string();
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0) throw Error(Errc::input, target_.string(), "cannot create output: " + errno_text());
  ::fchmod(fd_, static_cast<mode_t>(mode));
  temp_ = pattern;
}

OutputFile::~OutputFile() {
  if (to_stdout()) return;
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void OutputFile::write(ByteView data) {
  const std::uint8_t* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(Errc::input, target_.string(), "write failed: " + errno_text());
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void OutputFile::commit() {
  if (to_stdout()) {
    committed_ = true;
    return;
  }
  if (::fsync(fd_) != 0) throw Error(Errc::input, target_.string(), "fsync failed: " + errno_text());
  ::close(fd_);
  fd_ = -1;
  rename_into_place(temp_, target_, overwrite_);
  committed_ = true;
  sync_folder(target_.parent_path());
}

fs::path OutputFile::release() {
  if (to_stdout()) throw Error(Errc::internal, "-", "standard output cannot be released");
  ::close(fd_);
  fd_ = -1;
  committed_ = true;  // the caller owns the temporary now
  return temp_;
}

void sync_filesystem(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Errc::input, path.string(), "cannot open: " + errno_text());
  int rc = ::syncfs(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) throw Error(Errc::input, path.string(), std::string("syncfs failed: ") + std::strerror(e));
}

void commit_prepared(const fs::path& temp, const fs::path& target, bool overwrite) {
  try {
    rename_into_place(temp, target, overwrite);
  } catch (const Error&) {
    ::unlink(temp.c_str());
    throw;
  }
}

}  // namespace esign
