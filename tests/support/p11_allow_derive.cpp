// Test helper: grants an EC private key on a token the right to derive (CKA_DERIVE = TRUE), which
// softhsm2-util --import leaves off, so ECDH decryption can be tested on the token.
// Usage: p11_allow_derive MODULE TOKEN-LABEL PIN-FILE KEY-LABEL
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace {

std::string padded(const char* label) {
  std::string s(label);
  s.resize(32, ' ');  // CK_TOKEN_INFO labels are blank-padded to 32 bytes
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s MODULE TOKEN-LABEL PIN-FILE KEY-LABEL\n", argv[0]);
    return 2;
  }
  std::string pin;
  std::ifstream(argv[3]) >> pin;
  void* module = dlopen(argv[1], RTLD_NOW);
  auto get_list = module ? reinterpret_cast<CK_C_GetFunctionList>(dlsym(module, "C_GetFunctionList")) : nullptr;
  CK_FUNCTION_LIST* p11 = nullptr;
  if (!get_list || get_list(&p11) != CKR_OK || p11->C_Initialize(nullptr) != CKR_OK) return 1;
  CK_SLOT_ID slots[64];
  CK_ULONG nslots = 64;
  int rc = 1;
  if (p11->C_GetSlotList(CK_TRUE, slots, &nslots) == CKR_OK) {
    for (CK_ULONG i = 0; i < nslots && rc != 0; ++i) {
      CK_TOKEN_INFO info;
      if (p11->C_GetTokenInfo(slots[i], &info) != CKR_OK ||
          std::memcmp(info.label, padded(argv[2]).data(), sizeof info.label) != 0)
        continue;
      CK_SESSION_HANDLE session;
      if (p11->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session) != CKR_OK) break;
      if (p11->C_Login(session, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(pin.data()), pin.size()) == CKR_OK) {
        CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
        std::string label = argv[4];
        CK_ATTRIBUTE find[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_LABEL, label.data(), label.size()}};
        CK_OBJECT_HANDLE key;
        CK_ULONG found = 0;
        if (p11->C_FindObjectsInit(session, find, 2) == CKR_OK && p11->C_FindObjects(session, &key, 1, &found) == CKR_OK &&
            p11->C_FindObjectsFinal(session) == CKR_OK && found == 1) {
          CK_BBOOL yes = CK_TRUE;
          CK_ATTRIBUTE derive[] = {{CKA_DERIVE, &yes, sizeof yes}};
          if (p11->C_SetAttributeValue(session, key, derive, 1) == CKR_OK) rc = 0;
        }
        p11->C_Logout(session);
      }
      p11->C_CloseSession(session);
      break;
    }
  }
  p11->C_Finalize(nullptr);
  return rc;
}
