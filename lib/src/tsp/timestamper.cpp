// The profile's TSA as a Timestamper: tokens on demand, their size measured once.
#include <filesystem>
#include <mutex>

#include "esign/error.h"
#include "esign/timestamp.h"
#include "tsp/tsp.h"

namespace esign {

namespace {

// Token sizes vary by a few bytes (genTime fraction, serial number length): the margin covers it.
constexpr std::size_t kSizeMargin = 512;

class TsaTimestamper final : public Timestamper {
 public:
  // The TSA password is resolved once (a prompt asks once), then handed to each request.
  TsaTimestamper(TimestampSettings settings, const SecretResolver& secrets, std::string profile_file)
      : settings_(std::move(settings)), profile_file_(std::move(profile_file)) {
    if (settings_.password) {
      password_ = secrets.resolve(*settings_.password, "password for the TSA " + settings_.url,
                                  std::filesystem::path(profile_file_).parent_path(), profile_file_);
      settings_.password = "prompt";
    }
    secrets_ = SecretResolver([this](const std::string&) { return Secret(password_.reveal()); });
  }

  Bytes timestamp(const Digest& imprint) override {
    return tsp::request(settings_, imprint, secrets_, profile_file_).der;
  }

  std::size_t max_token_size() override {
    std::call_once(measured_, [this] {
      Digest probe = digest_of(DigestAlgorithm::sha256, as_bytes("esign: token size probe"));
      size_ = timestamp(probe).size() + kSizeMargin;
    });
    return size_;
  }

 private:
  TimestampSettings settings_;
  Secret password_;
  SecretResolver secrets_;
  std::string profile_file_;
  std::once_flag measured_;
  std::size_t size_ = 0;
};

}  // namespace

std::unique_ptr<Timestamper> open_timestamper(const Profile& profile, const SecretResolver& secrets) {
  if (!profile.timestamp) return nullptr;
  return std::make_unique<TsaTimestamper>(*profile.timestamp, secrets, profile.file.string());
}

}  // namespace esign
