target_sources(esign_core PRIVATE
  src/sign/sign.cpp
  src/sign/long_term.cpp
)
