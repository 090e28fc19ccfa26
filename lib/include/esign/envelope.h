// Encryption of any file to recipients' certificates as CMS (RFC 5652 EnvelopedData, RFC 5083 AuthEnvelopedData), streamed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "esign/ledger.h"
#include "esign/profile.h"
#include "esign/secret.h"

namespace esign {


struct EncryptOptions {
  std::vector<std::filesystem::path> recipients;  // PEM files, each holding one or more certificates
  // false: AES-256-GCM AuthEnvelopedData, RSA recipients with RSAES-OAEP (SHA-256, MGF1-SHA-256).
  // true:  AES-256-CBC EnvelopedData, RSA recipients with PKCS#1 v1.5 (for older readers).
  bool compat = false;
  bool overwrite = false;
};

struct EnvelopeOutcome {
  std::filesystem::path input;
  std::filesystem::path output;
  std::string input_sha256;   // lower-case hex of the bytes read
  std::string output_sha256;  // lower-case hex of the bytes written
  std::string content_cipher;  // "aes-256-gcm" or "aes-256-cbc"
  // encrypt: every recipient's certificate; decrypt: the certificate of the key that opened it.
  std::vector<std::string> recipient_fingerprints;  // SHA-256 hex of the certificates' DER
};

// data.bin -> data.bin.p7m; "-" -> "-".
std::filesystem::path default_encrypt_output(const std::filesystem::path& input);
// data.bin.p7m -> data.bin; "-" -> "-". Throws Error(usage) for any other name (give -o).
std::filesystem::path default_decrypt_output(const std::filesystem::path& input);

// Encrypts `input` ("-": stdin) to every certificate of options.recipients and writes DER CMS to
// `output` ("-": stdout) atomically, streaming (memory does not grow with the file). EC
// recipients get ECDH key agreement (RFC 5753, AES key wrap); RSA ones key transport.
// Throws Error: usage (no recipient, output would be the input), input (unreadable input or
// certificate file), key (a certificate whose key usage forbids encryption, or a key type other
// than RSA and EC), conflict (output exists without `overwrite`, checked before reading).
EnvelopeOutcome encrypt_file(const std::filesystem::path& input, const std::filesystem::path& output,
                             const EncryptOptions& options);

// Decrypts the DER or BER CMS EnvelopedData/AuthEnvelopedData `input` ("-": stdin, spooled to an
// unlinked temporary file) with the key of `profile` (pkcs12, pem, pkcs11 on the token,
// azure-keyvault in the vault) into `output` ("-": stdout). Memory stays bounded: the encrypted
// content is streamed from the file, never loaded. A file output appears only after the whole
// content decrypted and (GCM) its tag verified; to stdout, plaintext is written as it is
// decrypted and a failure is reported at the end. Throws Error: config (a csc key source cannot
// decrypt), key (wrong password or PIN; the file is not encrypted to this key), input (not CMS
// enveloped data, truncated, tampered), remote/auth (Key Vault refused), conflict (output exists).
EnvelopeOutcome decrypt_file(const Profile& profile, const SecretResolver& secrets, const std::filesystem::path& input,
                             const std::filesystem::path& output, bool overwrite);

// PDF password encryption: the PDF 2.0 security handler, AES-256, revision 6.
struct PdfEncryptOptions {
  Secret user_password;   // needed to open the file
  Secret owner_password;  // grants every permission; empty: a random one nobody knows
  // What a user-password holder may do: any of print, modify, copy, annotate, forms, assemble,
  // accessibility (parse_pdf_permissions). Empty with `all_permissions`: everything.
  std::vector<std::string> permissions;
  bool all_permissions = true;
  bool overwrite = false;
};

// "print,copy" -> {"print", "copy"}; "none" -> {}. Throws Error(usage) for an unknown name.
std::vector<std::string> parse_pdf_permissions(const std::string& list);

// report.pdf -> report.encrypted.pdf; report.encrypted.pdf (or any x.pdf) -> report.pdf / x.decrypted.pdf.
std::filesystem::path default_pdf_encrypt_output(const std::filesystem::path& input);
std::filesystem::path default_pdf_decrypt_output(const std::filesystem::path& input);

// Writes an AES-256 (R6) password-encrypted copy of the PDF `input` to `output` ("-": stdout),
// atomically. `input` must be a file. Throws Error: usage (stdin, output is the input), input
// (not a PDF, already encrypted, damaged), conflict (output exists without `overwrite`).
EnvelopeOutcome encrypt_pdf(const std::filesystem::path& input, const std::filesystem::path& output,
                            const PdfEncryptOptions& options);

// Writes a copy of the encrypted PDF `input` without its encryption, opened with `password` (the
// user or the owner password). Throws Error: key (wrong password; no output), input (not an
// encrypted PDF, damaged), conflict, usage as encrypt_pdf.
EnvelopeOutcome decrypt_pdf(const std::filesystem::path& input, const std::filesystem::path& output,
                            const Secret& password, bool overwrite);

// The audit event's hashes, certificate fingerprint (when one certificate was involved) and
// detail: "cms CIPHER certificates FP,..." or, for PDF passwords, the cipher. No keys or
// passwords ever reach it.
AuditFields audit_fields(const EnvelopeOutcome& outcome);

}  // namespace esign
