target_sources(esign_core PRIVATE
  src/keys/secret.cpp
  src/keys/file_signer.cpp
)
