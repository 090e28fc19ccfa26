// PAdES signing (ETSI EN 319 142-1 baseline B-B): a signature field and dictionary added in an
// incremental update, with a /Contents placeholder sized from the signer before the CMS exists.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "esign/bytes.h"
#include "esign/profile.h"
#include "esign/signer.h"
#include "esign/timestamp.h"

namespace esign::pdf {

struct PadesOptions {
  DigestAlgorithm digest = DigestAlgorithm::sha256;
  std::string reason;
  std::string location;
  std::string contact;
  std::optional<Appearance> appearance;  // none: an invisible signature
  std::chrono::system_clock::time_point signing_time;
  Timestamper* timestamper = nullptr;  // B-T: a signature time-stamp in the CMS
};

struct SignedUpdate {
  std::string tail;  // the bytes to append: pdf + tail is the signed file
  Bytes contents;    // the signature's /Contents string as written (the CMS and its zero padding)
  Bytes token;       // the signature time-stamp token, empty at B-B
};

// The incremental update that signs `pdf` (named `name` in errors).
// Throws Error(input) for encrypted or malformed PDFs, Error(key) when the signer fails.
SignedUpdate sign_pdf(ByteView pdf, const std::string& name, Signer& signer, const PadesOptions& options);

// The bytes to append to `pdf` for a document time-stamp (/DocTimeStamp, ETSI.RFC3161) over
// the whole file as it will then be. Throws like sign_pdf, and Error(remote) from the TSA.
std::string timestamp_pdf(ByteView pdf, const std::string& name, Timestamper& timestamper);

// True when `head` (the first bytes of a file) starts like a PDF ("%PDF-" within the first 1024 bytes).
bool looks_like_pdf(ByteView head);

}  // namespace esign::pdf
