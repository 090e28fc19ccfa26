// A tiny HTTP/1.1 server on 127.0.0.1 (a free port) for the client tests: one connection at a
// time, each request recorded and answered by the test's handler with raw response bytes.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace esign::test {

struct Received {
  std::string method, target;  // "GET", "/path?query"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string> header(const std::string& name) const {
    for (const auto& [n, v] : headers)
      if (strcasecmp(n.c_str(), name.c_str()) == 0) return v;
    return std::nullopt;
  }
};

// The response bytes for a request; nullopt keeps the connection open without answering until
// the server stops (a server that hangs).
using Handler = std::function<std::optional<std::string>(const Received&)>;

// "HTTP/1.1 <status> X\r\n<extra headers>Content-Length: N\r\nConnection: close\r\n\r\n<body>"
inline std::string response(int status, const std::string& body = "", const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " Status\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

class LoopbackServer {
 public:
  explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // the kernel picks a free port
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot start the loopback server");
    port_ = ntohs(addr.sin_port);
    thread_ = std::jthread([this](std::stop_token stop) { serve(stop); });
  }
  ~LoopbackServer() {
    thread_.request_stop();
    thread_.join();
    ::close(fd_);
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Received> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  static bool wait_readable(int fd, const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      pollfd p{fd, POLLIN, 0};
      int rc = ::poll(&p, 1, 20);
      if (rc > 0) return true;
    }
    return false;
  }

  void serve(std::stop_token stop) {
    while (wait_readable(fd_, stop)) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      handle(c, stop);
      ::close(c);
    }
  }

  void handle(int c, const std::stop_token& stop) {
    std::string data;
    char buf[8192];
    std::size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      if (!wait_readable(c, stop)) return;
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<std::size_t>(n));
    }
    Received r;
    std::size_t line_end = data.find("\r\n");
    std::string request_line = data.substr(0, line_end);
    std::size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
    r.method = request_line.substr(0, sp1);
    r.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t content_length = 0;
    for (std::size_t at = line_end + 2; at < head_end;) {
      std::size_t end = data.find("\r\n", at);
      std::string line = data.substr(at, end - at);
      std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon), value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      if (strcasecmp(name.c_str(), "content-length") == 0) content_length = std::stoul(value);
      r.headers.emplace_back(name, value);
      at = end + 2;
    }
    r.body = data.substr(head_end + 4);
    // curl asks before sending a larger body (RFC 9110 §10.1.1).
    if (r.body.size() < content_length && r.header("expect") == "100-continue")
      ::send(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, MSG_NOSIGNAL);
    while (r.body.size() < content_length) {
      if (!wait_readable(c, stop)) return;
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) return;
      r.body.append(buf, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(r);
    }
    std::optional<std::string> answer = handler_(r);
    if (!answer) {
      while (!stop.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    const char* p = answer->data();
    std::size_t left = answer->size();
    while (left > 0) {
      ssize_t n = ::send(c, p, left, MSG_NOSIGNAL);
      if (n <= 0) return;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::shutdown(c, SHUT_WR);
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<Received> requests_;
  std::jthread thread_;
};

}  // namespace esign::test
