target_sources(esign_core PRIVATE
  src/crypto/openssl.cpp
  src/crypto/certificate.cpp
)
