// PAdES signing in stages: the PDF layer prepares the update and embeds the CMS; between them
// the caller's key signs; afterwards the DSS (B-LT) and a document time-stamp (B-LTA).
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "esign/error.h"
#include "esign/output.h"
#include "pdf/dss.h"
#include "sign/long_term.h"
#include "sign/stages.h"

namespace esign::sign {

namespace fs = std::filesystem;

namespace {

// The update with `contents` (`what`) embedded, after checking it fits: the placeholder was sized
// from the signer's and the TSA's announced maxima, so only a TSA can break that promise.
std::string embed_checked(pdf::PreparedUpdate update, ByteView contents, const std::string& name, const char* what) {
  if (contents.size() > update.capacity())
    throw Error(Errc::remote, name,
                fmt::format("{} is {} bytes, more than the {} reserved from the time-stamp authority's largest token",
                            what, contents.size(), update.capacity()));
  return pdf::embed(std::move(update), contents);
}

// The /Contents placeholder's size: the largest CMS this signer (and the TSA) can produce. It is
// the same for every document a signer signs, so each thread keeps its last answer together with
// everything it depends on, and builds the sizing CMS again only when one of them differs.
std::size_t contents_capacity(const Signer& signer, DigestAlgorithm digest, std::size_t token_size) {
  struct Last {
    std::vector<Bytes> chain;
    std::size_t max_signature = 0, token = 0, capacity = 0;
    SignatureScheme scheme{};
    DigestAlgorithm digest{};
  };
  thread_local std::optional<Last> last;
  const std::vector<Certificate>& chain = signer.chain();
  const bool same = last && last->digest == digest && last->token == token_size &&
                    last->max_signature == signer.max_signature_size() && last->scheme == signer.scheme() &&
                    std::equal(last->chain.begin(), last->chain.end(), chain.begin(), chain.end(),
                               [](const Bytes& der, const Certificate& c) { return der == c.der(); });
  if (!same) {
    cms::PreparedSignature sizing = cms::prepare(Digest{digest, Bytes(digest_size(digest), 0)}, chain.front(), {});
    Last now{{}, signer.max_signature_size(), token_size, cms::max_size(sizing, signer, token_size), signer.scheme(), digest};
    for (const Certificate& c : chain) now.chain.push_back(c.der());
    last = std::move(now);
  }
  return last->capacity;
}

}  // namespace

PreparedPades prepare_pades(const Profile& profile, const Signer& signer, const fs::path& input,
                            const SignOptions& options) {
  const Certificate& cert = signer.chain().front();
  PreparedPades p{InputBytes::open(input), {}, {}, options.level.value_or(profile.signature.level)};
  Timestamper* timestamper = p.level != SignatureLevel::b_b ? options.timestamper : nullptr;

  pdf::SignatureDictionary dictionary;
  dictionary.signer_name = cert.common_name();
  dictionary.reason = options.reason.value_or(profile.signature.reason);
  dictionary.location = options.location.value_or(profile.signature.location);
  dictionary.contact = profile.signature.contact;
  if (profile.appearance) dictionary.appearance = profile.appearance;
  else if (options.visible) dictionary.appearance = Appearance{};
  dictionary.signing_time = std::chrono::system_clock::now();
  dictionary.certify = options.certify.value_or(profile.signature.certify);
  dictionary.lock_fields = options.lock_fields.value_or(profile.signature.lock_fields);
  dictionary.allow_hidden_content = options.allow_hidden_content;

  const DigestAlgorithm digest = profile.signature.digest;
  const std::size_t capacity = contents_capacity(signer, digest, timestamper ? timestamper->max_token_size() : 0);

  p.update = pdf::prepare_signature(p.input.bytes(), input.string(), dictionary, capacity, digest);
  // EN 319 142-1 §5.2.3: no signing-time attribute; the time is the dictionary's /M.
  p.cms = cms::prepare(p.update.digest, cert, {});
  return p;
}

SignOutcome finish_pades(PreparedPades prepared, ByteView signature_value, const Profile& profile, const Signer& signer,
                         const fs::path& input, const fs::path& output, const SignOptions& options) {
  const std::string name = input.string();
  const ByteView in = prepared.input.bytes();
  Timestamper* timestamper = prepared.level != SignatureLevel::b_b ? options.timestamper : nullptr;
  Bytes token;
  if (timestamper) token = timestamper->timestamp(cms::timestamp_imprint(signature_value));
  Bytes contents = cms::assemble(prepared.cms, signature_value, signer.chain(), signer.scheme(), token);
  const std::size_t capacity = prepared.update.capacity();
  std::string tail = embed_checked(std::move(prepared.update), contents, name, "the signature with its time-stamp token");
  contents.resize(capacity, 0);  // /Contents as written: the CMS and its zero padding (the VRI key)

  if (embeds_revocation(profile, prepared.level)) {
    // B-LT: the validation material in a DSS update after the signature; B-LTA: then a
    // document time-stamp over all of it (EN 319 142-1 §6.3, §6.4).
    der::ValidationData data = long_term_data(profile, signer.chain(), token, name);
    Bytes file(in.begin(), in.end());
    file.insert(file.end(), tail.begin(), tail.end());
    std::string dss = pdf::add_dss(file, name, data, {{contents, data}});
    tail += dss;
    if (prepared.level == SignatureLevel::b_lta) {
      file.insert(file.end(), dss.begin(), dss.end());
      std::string stamp = document_timestamp(file, name, *options.timestamper);
      file.insert(file.end(), stamp.begin(), stamp.end());
      tail += stamp;
      // The document time-stamp's own validation data, when its TSA's is not there yet.
      tail += dss_for_newest_timestamp(file, name, profile);
    }
  }

  // prepare_signature refused an existing output; the rename still refuses one made since.
  OutputFile out(output, options.overwrite, 0644, OutputFile::Existing::refuse_at_commit);
  out.write({in, as_bytes(tail)});
  SignOutcome o;
  if (options.defer_commit) o.temporary = out.release();
  else out.commit();

  o.format = SignatureFormat::pades;
  o.input_sha256 = to_hex(digest_of(DigestAlgorithm::sha256, in).value);
  Hasher output_hash(DigestAlgorithm::sha256);
  output_hash.update(in);
  output_hash.update(as_bytes(tail));
  o.output_sha256 = to_hex(output_hash.finish().value);
  return o;
}

std::string document_timestamp(ByteView pdf, const std::string& name, Timestamper& timestamper) {
  pdf::PreparedUpdate update = pdf::prepare_timestamp(pdf, name, timestamper.max_token_size());
  Bytes token = timestamper.timestamp(update.digest);
  return embed_checked(std::move(update), token, name, "the time-stamp token");
}

}  // namespace esign::sign
