// RAII holders for OpenSSL objects and the one way OpenSSL failures become esign::Error.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "esign/certificate.h"
#include "esign/error.h"

namespace esign::ossl {

template <auto Free>
struct Deleter {
  template <class T> void operator()(T* p) const noexcept { Free(p); }
};

using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PKeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using Cms = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo_free>>;

struct X509StackDeleter {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;
// A stack that does not own its certificates.
struct X509ViewDeleter {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_free(s); }
};
using X509View = std::unique_ptr<STACK_OF(X509), X509ViewDeleter>;

// Drains OpenSSL's error queue into one line (the last, most specific reason), so no stale
// error leaks into a later call. Returns "" when the queue was empty.
std::string drain_errors();
// Clears the error queue without reading it.
void clear_errors();

// Throws Error(code, subject, what + ": " + drained reason).
[[noreturn]] void fail(Errc code, const std::string& subject, const std::string& what);

// The OpenSSL digest for one of esign's digest algorithms.
const EVP_MD* md_for(DigestAlgorithm a);

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t);

// Empty when the public key of `cert` meets `policy`; else why not (see
// Certificate::key_weakness). Cheap: no copy of the certificate.
std::string key_weakness(X509* cert, const KeyPolicy& policy);

// A trust store of the certificates in `files` (PEM); with no files and `system_when_empty`, the
// system's default store. Throws Error(input) when a file cannot be read.
Store trust_store(const std::vector<std::filesystem::path>& files, bool system_when_empty);

}  // namespace esign::ossl
