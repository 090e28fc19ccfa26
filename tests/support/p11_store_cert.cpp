// Test helper: stores a PEM certificate on a PKCS#11 token next to its key (softhsm2-util
// imports keys only). Usage: p11_store_cert MODULE TOKEN-LABEL PIN-FILE CERT.pem LABEL HEX-ID
#include <libp11.h>
#include <openssl/pem.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s MODULE TOKEN-LABEL PIN-FILE CERT.pem LABEL HEX-ID\n", argv[0]);
    return 2;
  }
  std::string pin;
  std::ifstream(argv[3]) >> pin;
  FILE* f = std::fopen(argv[4], "r");
  X509* cert = f ? PEM_read_X509(f, nullptr, nullptr, nullptr) : nullptr;
  if (f) std::fclose(f);
  std::vector<unsigned char> id;
  for (std::string hex = argv[6]; hex.size() >= 2; hex.erase(0, 2)) id.push_back(static_cast<unsigned char>(std::stoi(hex.substr(0, 2), nullptr, 16)));
  PKCS11_CTX* ctx = PKCS11_CTX_new();
  PKCS11_SLOT* slots = nullptr;
  unsigned int n = 0;
  if (!cert || PKCS11_CTX_load(ctx, argv[1]) != 0 || PKCS11_enumerate_slots(ctx, &slots, &n) != 0) return 1;
  int rc = 1;
  for (unsigned i = 0; i < n; ++i) {
    PKCS11_TOKEN* t = slots[i].token;
    if (!t || std::string(t->label) != argv[2]) continue;
    if (PKCS11_open_session(&slots[i], 1) == 0 && PKCS11_login(&slots[i], 0, pin.c_str()) == 0 &&
        PKCS11_store_certificate(t, cert, argv[5], id.data(), id.size(), nullptr) == 0)
      rc = 0;
    break;
  }
  PKCS11_release_all_slots(ctx, slots, n);
  PKCS11_CTX_unload(ctx);
  PKCS11_CTX_free(ctx);
  X509_free(cert);
  return rc;
}
