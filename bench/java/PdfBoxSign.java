// Signs every PDF of IN_DIR into OUT_DIR with Apache PDFBox 2 and Bouncy Castle, in this one JVM.
// Usage: java PdfBoxSign P12 PASSWORD_FILE IN_DIR OUT_DIR
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Calendar;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.PDSignature;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

public class PdfBoxSign {
  public static void main(String[] args) throws Exception {
    char[] password = new String(Files.readAllBytes(new File(args[1]).toPath())).trim().toCharArray();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(args[0])) { store.load(in, password); }
    String alias = store.aliases().nextElement();
    PrivateKey key = (PrivateKey) store.getKey(alias, password);
    Certificate[] chain = store.getCertificateChain(alias);
    JcaCertStore certs = new JcaCertStore(Arrays.asList(chain));
    File[] files = new File(args[2]).listFiles((d, n) -> n.endsWith(".pdf"));
    Arrays.sort(files);
    for (File f : files) {
      try (PDDocument doc = PDDocument.load(f)) {
        PDSignature sig = new PDSignature();
        sig.setFilter(PDSignature.FILTER_ADOBE_PPKLITE);
        sig.setSubFilter(PDSignature.SUBFILTER_ETSI_CADES_DETACHED);
        sig.setName("bench");
        sig.setReason("Approved");
        sig.setSignDate(Calendar.getInstance());
        doc.addSignature(sig, content -> {
          try {
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(key);
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .build(signer, (X509Certificate) chain[0]));
            gen.addCertificates(certs);
            return gen.generate(new CMSProcessableByteArray(content.readAllBytes()), false).getEncoded();
          } catch (Exception e) {
            throw new java.io.IOException(e);
          }
        });
        try (FileOutputStream out = new FileOutputStream(new File(args[3], f.getName()))) { doc.saveIncremental(out); }
      }
    }
  }
}
