// HTTP for the remote key sources (libcurl lives only here): HTTPS with certificate
// verification always; plain http:// only to loopback hosts (test servers); timeouts everywhere.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace esign::http {

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;
  std::chrono::milliseconds timeout{30'000};
  // The body is signed by whoever issued it (OCSP responses, CRLs: RFC 5280 §4.2.1.13, RFC 6960
  // Appendix A): plain http:// is then allowed to any host, since integrity does not rest on TLS.
  // Such requests carry no credentials.
  bool signed_payload = false;
  std::size_t max_body = 64u << 20;  // a longer response body is an Error(remote)
};

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

// Sends one request. Throws Error(Errc::remote, url-without-query, reason) when the transfer
// fails (refused, timeout, TLS) and Error(Errc::config) for a URL that is neither https:// nor
// http:// to a loopback address (or any http:// URL for a signed_payload request). Any HTTP status is a Response, not an error.
Response send(const Request& request);

// send(), retried on 429 and 5xx with exponential backoff (honouring Retry-After seconds, capped
// at 30 s) up to `attempts` times; the last response is returned whatever its status.
Response send_with_retry(const Request& request, int attempts = 4);

// The URL as messages may show it: without its query and without user information.
std::string redacted(const std::string& url);

// True for http(s)://127.x.x.x, [::1] and localhost URLs.
bool is_loopback(const std::string& url);

// application/x-www-form-urlencoded encoding of one value.
std::string form_encode(const std::string& value);

}  // namespace esign::http
