target_sources(esign_core PRIVATE
  src/envelope/bio_stream.cpp
  src/envelope/encrypt.cpp
  src/envelope/algorithms.cpp
  src/envelope/ber_reader.cpp
  src/envelope/decrypt.cpp
  src/envelope/decrypt_key.cpp
  src/envelope/record.cpp
)
# PDF password encryption uses libqpdf (see pdf_password.cpp for why not PoDoFo). The fuzz build
# (clang 14) leaves it out: qpdf 11.3's JSON.hh does not compile as C++20 with clang 14 and
# libstdc++ 12, and no fuzz target reaches the CLI-only encrypt/decrypt of PDFs.
if(NOT ESIGN_FUZZ)
  target_sources(esign_core PRIVATE src/envelope/pdf_password.cpp)
  target_link_libraries(esign_core PRIVATE PkgConfig::QPDF)
endif()
