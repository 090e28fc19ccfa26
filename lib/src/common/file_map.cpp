// InputBytes: a buffer for small regular files and pipes, mmap for large regular files.
#include "common/file_map.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "esign/error.h"

namespace esign {

InputBytes InputBytes::open(const std::filesystem::path& path) {
  InputBytes in;
  bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Errc::input, path.string(), std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    if (!is_stdin) ::close(fd);
    throw Error(Errc::input, path.string(), std::string("cannot stat: ") + std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    if (!is_stdin) ::close(fd);
    throw Error(Errc::input, path.string(), "is a directory");
  }
  // A small file is read: for the one-page PDFs of a bulk job, mmap and munmap cost more than the
  // copy (page faults, and a TLB shootdown on every core that runs a worker).
  constexpr off_t kReadUpTo = 1 << 20;
  if (S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= kReadUpTo) {
    in.buffer_.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < in.buffer_.size()) {
      ssize_t n = ::pread(fd, in.buffer_.data() + got, in.buffer_.size() - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int e = errno;
        if (!is_stdin) ::close(fd);
        throw Error(Errc::input, path.string(), std::string("read error: ") + std::strerror(e));
      }
      if (n == 0) break;  // shorter than it was a moment ago
      got += static_cast<std::size_t>(n);
    }
    in.buffer_.resize(got);
    if (!is_stdin) ::close(fd);
    return in;
  }
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      in.map_ = p;
      in.size_ = static_cast<std::size_t>(st.st_size);
      if (!is_stdin) ::close(fd);
      return in;
    }
  }
  std::uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      if (!is_stdin) ::close(fd);
      throw Error(Errc::input, path.string(), std::string("read error: ") + std::strerror(e));
    }
    if (n == 0) break;
    in.buffer_.insert(in.buffer_.end(), buf, buf + n);
  }
  if (!is_stdin) ::close(fd);
  return in;
}

InputBytes::InputBytes(InputBytes&& other) noexcept
    : map_(other.map_), size_(other.size_), buffer_(std::move(other.buffer_)) {
  other.map_ = nullptr;
  other.size_ = 0;
}

InputBytes::~InputBytes() {
  if (map_) ::munmap(map_, size_);
}

}  // namespace esign
