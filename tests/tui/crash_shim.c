/* crash_shim.c - preloaded into `aba console` by crash.sh: writes the name
 * of every function called from inside a crash signal handler (SIGSEGV,
 * SIGBUS, SIGABRT, SIGFPE, SIGILL) that is not async-signal-safe and that
 * a handler giving the terminal back is tempted to call: endwin and the
 * rest of curses' output, the allocator, stdio, exit.  Such a call may
 * deadlock or garble the terminal when the crash came from inside the
 * allocator or in the middle of curses' own output.
 *
 * It wraps the handlers the program installs with sigaction so that it
 * knows when one runs; the log's descriptor is opened before, because
 * open(2) and getenv are not for a handler either.  glibc only (the
 * allocator is reached through __libc_malloc and friends, so that dlsym's
 * own allocations do not come back here).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static volatile sig_atomic_t in_handler;
static void (*app_handler[NSIG])(int);
static int log_fd = -1;

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static int (*real_endwin)(void);
static int (*real_doupdate)(void);
static int (*real_wrefresh)(void *);
static int (*real_fflush)(FILE *);
static size_t (*real_fwrite)(const void *, size_t, size_t, FILE *);
static int (*real_fputs)(const char *, FILE *);
static void (*real_exit)(int);

__attribute__((constructor)) static void shim_init(void)
{
	const char *path = getenv("ABA_CRASH_SHIM_LOG");

	if (path)
		log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))
		dlsym(RTLD_NEXT, "sigaction");
	real_endwin = (int (*)(void))dlsym(RTLD_NEXT, "endwin");
	real_doupdate = (int (*)(void))dlsym(RTLD_NEXT, "doupdate");
	real_wrefresh = (int (*)(void *))dlsym(RTLD_NEXT, "wrefresh");
	real_fflush = (int (*)(FILE *))dlsym(RTLD_NEXT, "fflush");
	real_fwrite = (size_t (*)(const void *, size_t, size_t, FILE *))dlsym(RTLD_NEXT, "fwrite");
	real_fputs = (int (*)(const char *, FILE *))dlsym(RTLD_NEXT, "fputs");
	real_exit = (void (*)(int))dlsym(RTLD_NEXT, "exit");
}

static void note(const char *fn)
{
	ssize_t n;

	if (!in_handler || log_fd < 0)
		return;
	n = write(log_fd, fn, strlen(fn));
	n = write(log_fd, "\n", 1);
	(void)n;
}

static int is_crash(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGFPE || sig == SIGILL;
}

static void trampoline(int sig)
{
	in_handler = 1;
	app_handler[sig](sig);
	in_handler = 0;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction mine;

	if (act && is_crash(sig) && !(act->sa_flags & SA_SIGINFO) &&
	    act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN) {
		app_handler[sig] = act->sa_handler;
		mine = *act;
		mine.sa_handler = trampoline;
		act = &mine;
	}
	return real_sigaction(sig, act, old);
}

void *malloc(size_t n)
{
	note("malloc");
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	note("calloc");
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	note("realloc");
	return __libc_realloc(p, n);
}

void free(void *p)
{
	note("free");
	__libc_free(p);
}

int endwin(void)
{
	note("endwin");
	return real_endwin();
}

int doupdate(void)
{
	note("doupdate");
	return real_doupdate();
}

int wrefresh(void *w)
{
	note("wrefresh");
	return real_wrefresh(w);
}

int fflush(FILE *f)
{
	note("fflush");
	return real_fflush(f);
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	note("fwrite");
	return real_fwrite(p, size, n, f);
}

int fputs(const char *s, FILE *f)
{
	note("fputs");
	return real_fputs(s, f);
}

void exit(int code)
{
	note("exit");
	real_exit(code);
	abort();
}
