// One opener per key source; open_signer() (keys/open_signer.cpp) visits the profile's KeySource.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/openssl.h"
#include "esign/login.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "esign/signer.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace esign {

// `defaults` with what the profile's `signing:` sets. Throws Error(config, "signing.max_in_flight")
// when it asks for more requests at once than `max_in_flight` (`why` says why).
BatchLimits settle_batch_limits(BatchLimits defaults, const BatchSettings& wanted, std::size_t max_in_flight,
                                const std::string& why);

std::unique_ptr<Signer> open_pkcs12(const Pkcs12Source& src, const Profile& profile, const SecretResolver& secrets);
std::unique_ptr<Signer> open_pem(const PemSource& src, const Profile& profile, const SecretResolver& secrets);
std::unique_ptr<Signer> open_pkcs11(const Pkcs11Source& src, const Profile& profile, const SecretResolver& secrets);
std::unique_ptr<Signer> open_azure_keyvault(const AzureKeyVaultSource& src, const Profile& profile,
                                            const SecretResolver& secrets);
std::unique_ptr<Signer> open_csc(const CscSource& src, const Profile& profile, const SecretResolver& secrets);

// Service logins (esign login --profile): get a token, cache it (keys/token_cache.h), return
// what was cached. The signers use a cached login when there is one and log in themselves otherwise.
CachedLogin azure_login(const AzureKeyVaultSource& src, const Profile& profile, const SecretResolver& secrets);
CachedLogin csc_login(const CscSource& src, const Profile& profile, const SecretResolver& secrets,
                      const LoginOptions& options);

// Signs a digest with an EVP_PKEY (a file key, or a token key behind libp11's methods):
// PKCS#1 v1.5, RSASSA-PSS (MGF1 with the same hash, salt = hash length) or ECDSA (DER).
// Throws Error(key, subject) when the key refuses.
Bytes sign_with_key(evp_pkey_st* key, SignatureScheme scheme, const Digest& digest, const std::string& subject);

// The private key of a pem key source, decrypted with key.password. Throws Error: input
// (unreadable, not a key), config (encrypted without key.password), key (wrong password).
ossl::PKey load_pem_key(const PemSource& src, const Profile& profile, const SecretResolver& secrets);

// Appends the certificates of a PEM file (when given) that are not in `chain` yet.
void append_chain(std::vector<Certificate>& chain, const std::optional<std::filesystem::path>& file);

}  // namespace esign
