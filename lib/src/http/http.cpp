// libcurl behind esign::http: one easy handle per request, verification on, loopback-only http.
#include "http/http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <strings.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "esign/error.h"

namespace esign::http {

namespace {

std::once_flag g_curl_init;

struct UrlParts {
  std::string scheme, host;
};

UrlParts parse_url(const std::string& url) {
  UrlParts parts;
  CURLU* u = curl_url();
  if (u && curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) parts.scheme = scheme;
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) parts.host = host;
    curl_free(scheme);
    curl_free(host);
  }
  curl_url_cleanup(u);
  return parts;
}

struct BodySink {
  std::string* body;
  std::size_t max;
  bool overflow = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * count > sink->max) {
    sink->overflow = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->body->append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * count;
}

}  // namespace

std::string redacted(const std::string& url) {
  std::string s = url.substr(0, url.find('?'));
  auto scheme = s.find("://");
  auto at = s.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  auto slash = s.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme != std::string::npos && at != std::string::npos && (slash == std::string::npos || at < slash))
    s.erase(scheme + 3, at - scheme - 2);
  return s;
}

bool is_loopback(const std::string& url) {
  const std::string host = parse_url(url).host;
  if (strcasecmp(host.c_str(), "localhost") == 0 || host == "[::1]" || host == "::1") return true;
  // An address in 127.0.0.0/8 (RFC 1122 §3.2.1.3), not a name that merely starts with "127."
  // (127.0.0.1.nip.io resolves wherever its owner wants).
  in_addr address{};
  return ::inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

std::string form_encode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Response send(const Request& request) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const std::string subject = redacted(request.url);
  UrlParts parts = parse_url(request.url);
  if (parts.scheme != "https" && !(parts.scheme == "http" && (request.signed_payload || is_loopback(request.url))))
    throw Error(Errc::config, subject, "remote services must use https:// (plain http:// only to loopback test servers)");

  // One handle per thread, reset for each request: its connections stay open (keep-alive, one
  // TLS handshake per host and thread), so the many requests of a bulk job reuse them.
  thread_local std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw Error(Errc::internal, subject, "cannot start an HTTP request");
  curl_easy_reset(curl.get());
  Response response;
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> header_list(headers, curl_slist_free_all);
  char error[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "POST" || !request.body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  BodySink sink{&response.body, request.max_body};
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could carry a token elsewhere
  CURLcode rc = curl_easy_perform(c);
  if (sink.overflow)
    throw Error(Errc::remote, subject, fmt::format("the response is larger than {} bytes", request.max_body));
  if (rc != CURLE_OK)
    throw Error(Errc::remote, subject, std::string("request failed: ") + (*error ? error : curl_easy_strerror(rc)));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Response send_with_retry(const Request& request, int attempts) {
  std::chrono::milliseconds backoff{500};
  for (int attempt = 1;; ++attempt) {
    Response r = send(request);
    bool retry = r.status == 429 || (r.status >= 500 && r.status <= 599);
    if (!retry || attempt >= attempts) return r;
    std::chrono::milliseconds wait = backoff;
    if (auto it = r.headers.find("retry-after"); it != r.headers.end()) {
      try {
        wait = std::chrono::seconds(std::min(30L, std::stol(it->second)));
      } catch (const std::exception&) {
      }
    }
    std::this_thread::sleep_for(wait);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(8'000));
  }
}

}  // namespace esign::http
