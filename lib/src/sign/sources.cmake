target_sources(esign_core PRIVATE
  src/sign/sign.cpp
  src/sign/pades.cpp
  src/sign/cades.cpp
  src/sign/long_term.cpp
)
