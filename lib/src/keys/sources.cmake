target_sources(esign_core PRIVATE
  src/keys/secret.cpp
  src/keys/file_signer.cpp
  src/keys/open_signer.cpp
  src/keys/pkcs11_uri.cpp
  src/keys/pkcs11_signer.cpp
  src/keys/azure_keyvault_signer.cpp
  src/keys/azure_auth.cpp
  src/keys/azure_chain.cpp
  src/keys/csc_client.cpp
  src/keys/csc_session.cpp
  src/keys/csc_signer.cpp
  src/keys/csc_login.cpp
  src/keys/token_cache.cpp
  src/keys/login.cpp
)
