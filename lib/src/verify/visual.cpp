// Rendering comparison of a PDF's revisions (see visual.h).
//
// poppler is a maintained renderer, but not one built to meet hostile input on its own terms:
// it repairs broken cross-references, has no way to cancel a render and no memory cap. So the
// comparison runs in a separate program, esign-render (render.cpp), started with posix_spawn,
// with CPU and address-space limits and a wall-clock deadline, only on files esign's strict
// parser accepted; the verifier reads its verdict as a few lines of text from a pipe. A renderer
// that crashes, hangs or says something else gives no verdict (the signature is then
// INDETERMINATE, not passed).
#include "verify/visual.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>

#include <fmt/format.h>

namespace esign::verify {

namespace {

constexpr std::size_t kMaxReply = 1 << 20;

// Reads the renderer's reply until EOF or the deadline; nullopt when the deadline passed first.
std::optional<std::string> read_reply(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string reply;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return reply;
    if (r == 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return reply;
    if (reply.size() + static_cast<std::size_t>(n) > kMaxReply) return reply;
    reply.append(buf, static_cast<std::size_t>(n));
    // Complete: no need to wait for EOF.
    if (reply == "done\n" || (reply.size() > 6 && reply.compare(reply.size() - 6, 6, "\ndone\n") == 0)) return reply;
  }
}

std::vector<VisualResult> parse_reply(const std::string& reply, std::size_t jobs) {
  std::vector<VisualResult> out(jobs);
  std::istringstream in(reply);
  std::string line;
  bool done = false;
  while (std::getline(in, line)) {
    if (line == "done") {
      done = true;
      break;
    }
    std::istringstream fields(line);
    if (line.rfind("E ", 0) == 0) {
      std::string tag;
      std::size_t j = jobs;
      fields >> tag >> j;
      std::string why;
      std::getline(fields, why);
      if (j < jobs) out[j].error = why.empty() ? "the renderer failed" : why.substr(1);
      continue;
    }
    std::size_t j = jobs;
    VisualChange c;
    if (!(fields >> j >> c.box.page >> c.box.x0 >> c.box.y0 >> c.box.x1 >> c.box.y1)) continue;
    std::getline(fields, c.what);
    if (j < jobs && c.what.size() > 1) {
      c.what.erase(0, 1);
      out[j].changes.push_back(c);
    }
  }
  if (!done)
    for (VisualResult& r : out) r.error = "the renderer did not finish";
  return out;
}

}  // namespace

namespace {

}  // namespace

std::string request_header(std::size_t size, const std::vector<VisualJob>& jobs) {
  std::string out = fmt::format("esign-render 1\njobs {}\n", jobs.size());
  for (const VisualJob& j : jobs) {
    out += fmt::format("job {} {}\n", j.signed_end, j.areas.size());
    for (const PaintedArea& a : j.areas)
      out += fmt::format("area {} {} {} {} {} {}\n", a.box.page, a.box.x0, a.box.y0, a.box.x1, a.box.y1, a.must_not_cover ? 1 : 0);
  }
  return out + fmt::format("pdf {}\n", size);
}

namespace {

// The renderer: ESIGN_RENDERER when set (tests), else installed beside esign as
// <bindir>/<libexecdir relative to it>/esign/esign-render (the build tree mirrors that layout).
std::string renderer_path() {
  if (const char* env = std::getenv("ESIGN_RENDERER"); env && *env) return env;
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string dir(exe, static_cast<std::size_t>(n));
    dir.erase(dir.rfind('/') + 1);
    std::string beside = dir + ESIGN_LIBEXECDIR_FROM_BINDIR "/esign/esign-render";
    if (::access(beside.c_str(), X_OK) == 0) return beside;
  }
  return ESIGN_INSTALL_FULL_LIBEXECDIR "/esign/esign-render";
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::vector<VisualResult> compare_renderings(ByteView data, const std::vector<VisualJob>& jobs) {
  if (jobs.empty()) return {};
  const auto fail_all = [&](const std::string& why) {
    std::vector<VisualResult> out(jobs.size());
    for (VisualResult& r : out) r.error = why;
    return out;
  };
  // The request goes in an anonymous file that becomes the renderer's standard input. The
  // renderer is a separate program started with posix_spawn (never a fork of this process, whose
  // other threads may hold locks the copy would wait on for ever).
  Fd request{::memfd_create("esign-render", MFD_CLOEXEC)};
  if (request.fd < 0) return fail_all(fmt::format("cannot start the renderer: {}", std::strerror(errno)));
  const std::string header = request_header(data.size(), jobs);
  for (ByteView part : {as_bytes(header), data}) {
    for (std::size_t at = 0; at < part.size();) {
      ssize_t n = ::write(request.fd, part.data() + at, part.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail_all(fmt::format("cannot start the renderer: {}", std::strerror(errno)));
      at += static_cast<std::size_t>(n);
    }
  }
  if (::lseek(request.fd, 0, SEEK_SET) != 0) return fail_all("cannot start the renderer: lseek failed");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail_all(fmt::format("cannot start the renderer: {}", std::strerror(errno)));
  Fd reply_end{fds[0]}, child_end{fds[1]};
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, request.fd, STDIN_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, child_end.fd, STDOUT_FILENO);
  ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  const std::string path = renderer_path();
  char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return fail_all(fmt::format("cannot start the renderer {}: {}", path, std::strerror(rc)));
  ::close(child_end.fd);
  child_end.fd = -1;
  std::optional<std::string> reply = read_reply(reply_end.fd, std::chrono::steady_clock::now() + std::chrono::seconds(kRenderDeadlineSeconds));
  if (!reply) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!reply) return fail_all(fmt::format("the renderer did not finish in {} s", kRenderDeadlineSeconds));
  if (WIFSIGNALED(status)) return fail_all(fmt::format("the renderer was killed by signal {}", WTERMSIG(status)));
  return parse_reply(*reply, jobs.size());
}

}  // namespace esign::verify
