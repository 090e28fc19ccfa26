target_sources(esign_core PRIVATE
  src/pdf/object.cpp
  src/pdf/lexer.cpp
  src/pdf/xref.cpp
  src/pdf/document.cpp
  src/pdf/layout.cpp
  src/pdf/decode.cpp
  src/pdf/text.cpp
  src/pdf/appearance.cpp
  src/pdf/incremental.cpp
  src/pdf/pades.cpp
  src/pdf/dss.cpp
  src/pdf/fields.cpp
  src/pdf/hidden.cpp
)
