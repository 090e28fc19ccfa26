// The file-system work of `esign bulk` without any signing: for each of N inputs, the system
// calls esign makes per document (stat, open, fstat, pread, close of the input; stat of the
// output; open O_EXCL, write, close, renameat2 RENAME_NOREPLACE of its temporary; syncfs and a
// folder fsync per group of 64), on 2 threads. Prints the CPU seconds it took (user, system):
// the floor under any signer that writes each output as its own durable file on this machine.
// Usage: io_floor IN_DIR OUT_DIR N   (inputs IN_DIR/doc00001.pdf .. docN.pdf, made by make_pdfs.py)
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char* in_dir;
static const char* out_dir;
static long total;

static void* work(void* arg) {
  const long first = (long)arg;
  char in[4096], out[4096], tmp[4096], buf[8192] = {0};
  struct stat st;
  for (long i = first, n = 0; i < total; i += 2, ++n) {
    snprintf(in, sizeof in, "%s/doc%05ld.pdf", in_dir, i + 1);
    stat(in, &st);
    int fd = open(in, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror(in); exit(1); }
    fstat(fd, &st);
    if (pread(fd, buf, st.st_size < (off_t)sizeof buf ? (size_t)st.st_size : sizeof buf, 0) < 0) { perror(in); exit(1); }
    close(fd);
    snprintf(out, sizeof out, "%s/doc%05ld.signed.pdf", out_dir, i + 1);
    snprintf(tmp, sizeof tmp, "%s/.doc%05ld.signed.pdf.tmp", out_dir, i + 1);
    stat(out, &st);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) { perror(tmp); exit(1); }
    close(fd);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) != 0) { perror(out); exit(1); }
    if (n % 64 == 63) {
      int d = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      syncfs(d);
      fsync(d);
      close(d);
    }
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 4) { fprintf(stderr, "usage: io_floor IN_DIR OUT_DIR N\n"); return 2; }
  in_dir = argv[1], out_dir = argv[2], total = atol(argv[3]);
  if (mkdir(out_dir, 0755) != 0) { perror(out_dir); return 1; }
  pthread_t a, b;
  pthread_create(&a, NULL, work, (void*)0);
  pthread_create(&b, NULL, work, (void*)1);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  int d = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  syncfs(d);
  close(d);
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  printf("%.3f %.3f\n", r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6, r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6);
  return 0;
}
