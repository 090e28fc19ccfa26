// Digests: FIPS 180 vectors, streaming equals one-shot, names and sizes, files hashed as sha256sum does.
#include <boost/test/unit_test.hpp>

#include <random>

#include "crypto_fixtures.h"
#include "esign/error.h"

using namespace esign;

BOOST_AUTO_TEST_SUITE(digests)

// FIPS 180-2 Appendix B/C/D: "abc".
BOOST_AUTO_TEST_CASE(digests_of_abc_match_fips_180) {
  BOOST_TEST(to_hex(digest_of(DigestAlgorithm::sha256, as_bytes("abc")).value) ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(to_hex(digest_of(DigestAlgorithm::sha384, as_bytes("abc")).value) ==
             "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  BOOST_TEST(to_hex(digest_of(DigestAlgorithm::sha512, as_bytes("abc")).value) ==
             "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
             "454d4423643ce80e2a9ac94fa54ca49f");
  BOOST_TEST(to_hex(digest_of(DigestAlgorithm::sha256, {}).value) ==
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(streaming_in_pieces_equals_one_shot) {
  std::mt19937 rng(7);
  Bytes data(100000);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  for (DigestAlgorithm a : {DigestAlgorithm::sha256, DigestAlgorithm::sha384, DigestAlgorithm::sha512}) {
    Hasher h(a);
    for (std::size_t at = 0; at < data.size();) {
      const std::size_t n = std::min<std::size_t>(rng() % 5000, data.size() - at);
      h.update(ByteView(data).subspan(at, n));
      at += n;
    }
    Hasher moved = std::move(h);
    const Digest d = moved.finish();
    BOOST_TEST((d.algorithm == a));
    BOOST_TEST(d.value.size() == digest_size(a));
    BOOST_TEST(d.value == digest_of(a, data).value, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(algorithm_names_round_trip_and_others_are_config_errors) {
  for (DigestAlgorithm a : {DigestAlgorithm::sha256, DigestAlgorithm::sha384, DigestAlgorithm::sha512})
    BOOST_TEST((parse_digest_algorithm(to_string(a), "p.yaml") == a));
  BOOST_TEST(digest_size(DigestAlgorithm::sha256) == 32u);
  BOOST_TEST(digest_size(DigestAlgorithm::sha384) == 48u);
  BOOST_TEST(digest_size(DigestAlgorithm::sha512) == 64u);
  for (const char* bad : {"md5", "sha1", "SHA256", "sha-256", ""}) {
    try {
      parse_digest_algorithm(bad, "p.yaml");
      BOOST_ERROR(bad << " accepted");
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::config));
      BOOST_TEST(e.subject() == "p.yaml");
    }
  }
}

BOOST_AUTO_TEST_CASE(sha256_file_hex_matches_sha256sum) {
  test::TempDir dir;
  std::string data(200000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  test::write_file(dir / "data.bin", data);
  test::write_file(dir / "empty", "");
  for (const char* name : {"data.bin", "empty"}) {
    const std::string want = test::run("sha256sum '" + (dir / name).string() + "'").substr(0, 64);
    BOOST_TEST(sha256_file_hex(dir / name) == want, name);
  }
}

BOOST_AUTO_TEST_CASE(sha256_file_hex_of_what_cannot_be_read_is_an_input_error) {
  test::TempDir dir;
  for (const auto& p : {dir / "missing", dir.path()}) {
    try {
      sha256_file_hex(p);
      BOOST_ERROR(p << " hashed");
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::input));
      BOOST_TEST(e.subject() == p.string());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
