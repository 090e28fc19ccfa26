target_sources(esign_core PRIVATE
  src/sign/sign.cpp
)
