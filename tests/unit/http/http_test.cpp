// The HTTP client (libcurl) against a loopback server started by each test: statuses, headers,
// bodies and their cap, timeouts, no redirects, https-only outside loopback, retries.
#define BOOST_TEST_MODULE http
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>

#include "esign/error.h"
#include "http/http.h"
#include "loopback_server.h"

using namespace esign;
using test::LoopbackServer;
using test::Received;
using test::response;

namespace {

template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  throw std::logic_error("no esign::Error was thrown");
}

http::Request get(const std::string& url) {
  http::Request r;
  r.url = url;
  r.timeout = std::chrono::milliseconds(5000);
  return r;
}

// A port on 127.0.0.1 with nothing listening: bound, then closed.
int closed_port() {
  int port;
  {
    LoopbackServer s([](const Received&) { return response(200); });
    port = s.port();
  }
  return port;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_client)

BOOST_AUTO_TEST_CASE(get_returns_status_body_and_lower_cased_trimmed_headers) {
  LoopbackServer server([](const Received&) {
    return response(200, "hello", "Content-Type: text/plain\r\nX-Request-ID:   abc 123  \r\n");
  });
  const http::Response r = http::send(get(server.url("/thing?x=1")));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body == "hello");
  BOOST_TEST(r.headers.at("content-type") == "text/plain");
  BOOST_TEST(r.headers.at("x-request-id") == "abc 123");
  BOOST_TEST(r.headers.count("X-Request-ID") == 0u);
  const std::vector<Received> seen = server.requests();
  BOOST_REQUIRE_EQUAL(seen.size(), 1u);
  BOOST_TEST(seen[0].method == "GET");
  BOOST_TEST(seen[0].target == "/thing?x=1");
}

BOOST_AUTO_TEST_CASE(request_headers_method_and_body_reach_the_server) {
  LoopbackServer server([](const Received& r) { return response(201, "got " + std::to_string(r.body.size())); });
  http::Request req = get(server.url("/sign"));
  req.method = "POST";
  req.headers = {{"Authorization", "Bearer t0k3n"}, {"Content-Type", "application/json"}};
  req.body = std::string(5000, 'b');  // large enough for curl's "Expect: 100-continue"
  const http::Response r = http::send(req);
  BOOST_TEST(r.status == 201);
  BOOST_TEST(r.body == "got 5000");
  const Received seen = server.requests().at(0);
  BOOST_TEST(seen.method == "POST");
  BOOST_TEST(seen.header("authorization").value_or("") == "Bearer t0k3n");
  BOOST_TEST(seen.header("content-type").value_or("") == "application/json");
  BOOST_TEST(seen.body == req.body);

  req.method = "DELETE";
  req.body.clear();
  BOOST_TEST(http::send(req).status == 201);
  BOOST_TEST(server.requests().at(1).method == "DELETE");
  BOOST_TEST(server.requests().at(1).body.empty());
}

BOOST_AUTO_TEST_CASE(an_empty_post_is_sent_with_a_zero_length) {
  LoopbackServer server([](const Received&) { return response(200); });
  http::Request req = get(server.url("/token"));
  req.method = "POST";
  BOOST_TEST(http::send(req).status == 200);
  const Received seen = server.requests().at(0);
  BOOST_TEST(seen.method == "POST");
  BOOST_TEST(seen.header("content-length").value_or("") == "0");
}

BOOST_AUTO_TEST_CASE(every_http_status_is_a_response_not_an_error) {
  for (int status : {204, 400, 401, 404, 429, 500, 503}) {
    LoopbackServer server([status](const Received&) { return response(status, "{\"error\":\"x\"}"); });
    const http::Response r = http::send(get(server.url()));
    BOOST_TEST(r.status == status);
    if (status != 204) BOOST_TEST(r.body == "{\"error\":\"x\"}");
  }
}

// A redirect could carry a bearer token to another host: it is returned, never followed.
BOOST_AUTO_TEST_CASE(redirects_are_returned_not_followed) {
  LoopbackServer elsewhere([](const Received&) { return response(200, "followed"); });
  LoopbackServer server([&](const Received&) {
    return response(302, "", "Location: " + elsewhere.url("/stolen") + "\r\n");
  });
  http::Request req = get(server.url("/start"));
  req.headers = {{"Authorization", "Bearer secret"}};
  const http::Response r = http::send(req);
  BOOST_TEST(r.status == 302);
  BOOST_TEST(r.headers.at("location") == elsewhere.url("/stolen"));
  BOOST_TEST(server.requests().size() == 1u);
  BOOST_TEST(elsewhere.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_body_over_the_cap_is_a_remote_error) {
  const std::string body(100000, 'z');
  LoopbackServer server([&](const Received&) { return response(200, body); });
  http::Request req = get(server.url("/big"));
  req.max_body = body.size();
  BOOST_TEST(http::send(req).body == body, "exactly the cap is accepted");
  req.max_body = body.size() - 1;
  const Error e = error_of([&] { http::send(req); });
  BOOST_TEST((e.code() == Errc::remote));
  BOOST_TEST(e.reason() == "the response is larger than 99999 bytes");
  BOOST_TEST(e.subject() == server.url("/big"));
}

BOOST_AUTO_TEST_CASE(a_chunked_body_over_the_cap_is_a_remote_error) {
  LoopbackServer server([](const Received&) {
    std::string chunks;
    for (int i = 0; i < 20; ++i) chunks += "400\r\n" + std::string(1024, 'c') + "\r\n";
    return std::optional<std::string>("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks +
                                      "0\r\n\r\n");
  });
  http::Request req = get(server.url());
  BOOST_TEST(http::send(req).body.size() == 20u * 1024u);
  req.max_body = 10 * 1024;
  BOOST_TEST((error_of([&] { http::send(req); }).code() == Errc::remote));
}

BOOST_AUTO_TEST_CASE(a_server_that_does_not_answer_times_out) {
  LoopbackServer server([](const Received&) { return std::nullopt; });
  http::Request req = get(server.url("/slow?token=secret"));
  req.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  const Error e = error_of([&] { http::send(req); });
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST((e.code() == Errc::remote));
  BOOST_TEST(e.reason().find("request failed") == 0u, e.reason());
  BOOST_TEST(e.subject() == server.url("/slow"), "the query stays out of messages");
  BOOST_TEST((took < std::chrono::seconds(5)), "the timeout applies, not a default");
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_a_remote_error) {
  const int port = closed_port();
  const Error e = error_of([&] { http::send(get("http://127.0.0.1:" + std::to_string(port) + "/x")); });
  BOOST_TEST((e.code() == Errc::remote));
}

BOOST_AUTO_TEST_CASE(a_response_cut_short_is_a_remote_error) {
  LoopbackServer server([](const Received&) {
    return std::optional<std::string>("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nonly ten..");
  });
  BOOST_TEST((error_of([&] { http::send(get(server.url())); }).code() == Errc::remote));
}

BOOST_AUTO_TEST_CASE(localhost_is_loopback_too) {
  LoopbackServer server([](const Received&) { return response(200, "local"); });
  BOOST_TEST(http::send(get("http://localhost:" + std::to_string(server.port()) + "/")).body == "local");
}

// Plain http:// outside loopback is refused before any connection is made.
BOOST_AUTO_TEST_CASE(plain_http_to_other_hosts_and_other_schemes_are_config_errors) {
  for (const char* url : {"http://example.com/token", "http://10.0.0.1/", "http://127.0.0.1.nip.io/",
                          "http://localhost.example.com/", "http://127.0.0.1@example.com/", "ftp://127.0.0.1/",
                          "file:///etc/passwd", "gopher://localhost/", "", "not a url"}) {
    const Error e = error_of([&] { http::send(get(url)); });
    BOOST_TEST((e.code() == Errc::config), "'" << url << "': " << e.what());
  }
}

// Signed payloads (OCSP, CRLs) may use plain http:// anywhere: the request is attempted. An
// unroutable documentation address (RFC 5737) makes it fail as a transfer, not as a refusal.
BOOST_AUTO_TEST_CASE(signed_payloads_may_use_plain_http_to_any_host) {
  http::Request req = get("http://192.0.2.1:9/ocsp");
  req.timeout = std::chrono::milliseconds(200);
  BOOST_TEST((error_of([&] { http::send(req); }).code() == Errc::config));
  req.signed_payload = true;
  BOOST_TEST((error_of([&] { http::send(req); }).code() == Errc::remote));
}

BOOST_AUTO_TEST_CASE(retry_repeats_on_429_and_5xx_honouring_retry_after) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const Received&) {
    int n = ++calls;
    if (n == 1) return response(503, "busy", "Retry-After: 0\r\n");
    if (n == 2) return response(429, "slow down", "Retry-After: 0\r\n");
    return response(200, "done");
  });
  const http::Response r = http::send_with_retry(get(server.url()), 4);
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body == "done");
  BOOST_TEST(calls == 3);
}

BOOST_AUTO_TEST_CASE(retry_gives_up_after_the_attempts_with_the_last_response) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const Received&) {
    return response(500, "attempt " + std::to_string(++calls), "Retry-After: 0\r\n");
  });
  const http::Response r = http::send_with_retry(get(server.url()), 3);
  BOOST_TEST(r.status == 500);
  BOOST_TEST(r.body == "attempt 3");
  BOOST_TEST(calls == 3);
}

BOOST_AUTO_TEST_CASE(retry_does_not_repeat_client_errors) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const Received&) {
    ++calls;
    return response(400, "bad request");
  });
  BOOST_TEST(http::send_with_retry(get(server.url()), 4).status == 400);
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(redacted_drops_the_query_and_user_information) {
  BOOST_TEST(http::redacted("https://vault.example/keys/k/sign?api-version=7.4") == "https://vault.example/keys/k/sign");
  BOOST_TEST(http::redacted("https://user:pa55@host.example/path?code=1") == "https://host.example/path");
  BOOST_TEST(http::redacted("https://user@host.example") == "https://host.example");
  BOOST_TEST(http::redacted("https://host.example/a@b") == "https://host.example/a@b", "an @ in the path is not user information");
  BOOST_TEST(http::redacted("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/");
}

BOOST_AUTO_TEST_CASE(loopback_means_127_slash_8_localhost_and_ipv6_loopback_only) {
  for (const char* url : {"http://127.0.0.1/", "http://127.0.0.1:8080/x", "http://127.1.2.3/", "http://localhost/",
                          "https://localhost:8443/", "http://[::1]:9000/"})
    BOOST_TEST(http::is_loopback(url), url);
  for (const char* url : {"http://128.0.0.1/", "http://127.0.0.1.nip.io/", "http://127.evil.example/",
                          "http://localhost.example.com/", "http://127.0.0.1@example.com/", "http://example.com/127.0.0.1",
                          "http://example.com/?host=localhost", "http://[::2]/", "", "127.0.0.1"})
    BOOST_TEST(!http::is_loopback(url), url);
}

BOOST_AUTO_TEST_CASE(form_encode_keeps_unreserved_characters_only) {
  BOOST_TEST(http::form_encode("AZaz09-._~") == "AZaz09-._~");
  BOOST_TEST(http::form_encode("a b&c=d/e+f") == "a%20b%26c%3Dd%2Fe%2Bf");
  BOOST_TEST(http::form_encode("\xC3\xA9\x01") == "%C3%A9%01");
  BOOST_TEST(http::form_encode("") == "");
}

BOOST_AUTO_TEST_SUITE_END()
