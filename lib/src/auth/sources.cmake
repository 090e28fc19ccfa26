target_sources(esign_core PRIVATE
  src/auth/accounts.cpp
  src/auth/operation.cpp
  src/auth/password.cpp
  src/auth/qr.cpp
  src/auth/seal.cpp
  src/auth/secrets.cpp
  src/auth/session.cpp
  src/auth/totp.cpp
)
# libqrencode makes the enrolment QR code (auth/qr.cpp only).
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET GLOBAL libqrencode)
target_link_libraries(esign_core PRIVATE PkgConfig::QRENCODE)
