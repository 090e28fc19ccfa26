// open_signer: the one place that maps a profile's key source to its signer.
#include "esign/signer.h"
#include "keys/openers.h"

namespace esign {

namespace {
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;
}  // namespace

std::unique_ptr<Signer> open_signer(const Profile& profile, const SecretResolver& secrets) {
  return std::visit(Overloaded{
                        [&](const Pkcs12Source& s) { return open_pkcs12(s, profile, secrets); },
                        [&](const PemSource& s) { return open_pem(s, profile, secrets); },
                        [&](const Pkcs11Source& s) { return open_pkcs11(s, profile, secrets); },
                        [&](const AzureKeyVaultSource& s) { return open_azure_keyvault(s, profile, secrets); },
                        [&](const CscSource& s) { return open_csc(s, profile, secrets); },
                    },
                    profile.key);
}

}  // namespace esign
