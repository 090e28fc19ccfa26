target_sources(esign_core PRIVATE
  src/envelope/bio_stream.cpp
  src/envelope/encrypt.cpp
  src/envelope/algorithms.cpp
  src/envelope/ber_reader.cpp
  src/envelope/decrypt.cpp
  src/envelope/decrypt_key.cpp
  src/envelope/record.cpp
)
# PDF password encryption uses libqpdf (see pdf_password.cpp for why not PoDoFo).
target_sources(esign_core PRIVATE src/envelope/pdf_password.cpp)
target_link_libraries(esign_core PRIVATE PkgConfig::QPDF)
