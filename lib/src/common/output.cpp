// Atomic outputs: temp file, fsync, no-clobber rename, folder fsync.
#include "esign/output.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "esign/error.h"

namespace esign {

namespace fs = std::filesystem;

namespace {
constexpr const char* kTempMarker = ".esign-tmp-";

std::string errno_text() { return std::strerror(errno); }

// The end of a temporary's name: a random prefix drawn once per process and a counter, so that
// making a temporary costs one open(2) and no random source (O_EXCL settles any collision).
std::string temporary_suffix() {
  static const std::string prefix = [] {
    std::uint64_t r = 0;
    if (::getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) r = static_cast<std::uint64_t>(::getpid()) << 20;
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string out;
    for (int i = 0; i < 10; ++i, r /= 36) out += kDigits[r % 36];
    return out;
  }();
  static std::atomic<std::uint64_t> counter{0};
  return prefix + std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

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

OutputFile::OutputFile(fs::path target, bool overwrite, unsigned mode, Existing existing)
    : target_(std::move(target)), overwrite_(overwrite) {
  if (to_stdout()) {
    fd_ = STDOUT_FILENO;
    return;
  }
  if (!overwrite_ && existing == Existing::refuse_now && fs::exists(target_))
    throw Error(Errc::conflict, target_.string(), "output exists", Remedy::overwrite);
  // Created with its permissions, less the umask as for any file a command creates (a secret's
  // 0600 can only lose bits): one open(2), no fchmod.
  const fs::path dir = target_.parent_path();
  const std::string stem = (dir / ("." + target_.filename().string() + kTempMarker)).string();
  for (int attempt = 0; fd_ < 0; ++attempt) {
    std::string name = stem + temporary_suffix();
    fd_ = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd_ >= 0) temp_ = std::move(name);
    else if (errno != EEXIST || attempt >= 100)
      throw Error(Errc::input, target_.string(), "cannot create output: " + errno_text());
  }
}

OutputFile::~OutputFile() {
  if (to_stdout()) return;
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void OutputFile::write(ByteView data) { write({data}); }

void OutputFile::write(std::initializer_list<ByteView> parts) {
  std::vector<iovec> iov;
  for (ByteView p : parts)
    if (!p.empty()) iov.push_back({const_cast<std::uint8_t*>(p.data()), p.size()});
  std::size_t first = 0;
  while (first < iov.size()) {
    const int count = static_cast<int>(std::min<std::size_t>(iov.size() - first, IOV_MAX));
    ssize_t n = ::writev(fd_, iov.data() + first, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(Errc::input, target_.string(), "write failed: " + errno_text());
    }
    // Skip what was written: whole parts, then the start of a part written in part.
    auto left = static_cast<std::size_t>(n);
    while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
    if (first < iov.size()) {
      iov[first].iov_base = static_cast<std::uint8_t*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
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
