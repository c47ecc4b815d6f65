/* Unit tests for release/ssh.c: the exact argv and copyable command line
 * for the bastion and for a private host (-J, or the spelled-out hop when
 * an identity file or options are set), every untrusted value refused with
 * a message naming the field, shell quoting for display, running a child
 * (exit statuses, signals, timeouts, streams, no leaked fds), and the real
 * thing: ssh through a real OpenSSH sshd on loopback (tests/ssh/sshd.sh)
 * that plays the bastion (127.0.0.1) and the private host (127.0.0.2).
 * When sshd cannot be started the second group fails; it is never skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"
#include "release/ssh.h"

#define EIP  "203.0.113.10"
#define PRIV "10.0.1.23"

/* ---- helpers ---- */

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static void add_option(struct config *c, const char *opt)
{
	c->ssh_options.v = xrealloc(c->ssh_options.v, (c->ssh_options.n + 1) * sizeof *c->ssh_options.v);
	c->ssh_options.v[c->ssh_options.n++] = xstrdup(opt);
}

/* An owned, writable copy of a NULL-terminated word list (free with
 * ssh_argv_free): execvp's argv type wants char *, literals are const. */
static char **words(const char *const *w)
{
	size_t n = 0;
	while (w[n])
		n++;
	char **v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(w[i]);
	return v;
}

/* argv must be exactly want (NULL-terminated). */
static void assert_argv(char **argv, const char *const *want)
{
	assert_non_null(argv);
	size_t i = 0;
	for (; want[i]; i++) {
		if (!argv[i])
			fail_msg("argv ends at %zu, expected \"%s\"", i, want[i]);
		assert_string_equal(argv[i], want[i]);
	}
	if (argv[i])
		fail_msg("argv has extra word %zu: \"%s\"", i, argv[i]);
}

/* Build for t/cfg/command and check argv and display. */
static void expect_argv(const struct ssh_target *t, const struct config *c, const char *const *command,
			const char *const *want, const char *want_display)
{
	char **argv = (char **)1;
	struct buf display = {0}, err = {0};
	int rc = ssh_argv(t, c, command, &argv, &display, &err);
	if (rc)
		fail_msg("ssh_argv failed: %s", buf_str(&err));
	assert_int_equal(err.len, 0);
	assert_argv(argv, want);
	assert_string_equal(buf_str(&display), want_display);
	ssh_argv_free(&argv);
	assert_null(argv);
	buf_free(&display);
	buf_free(&err);
}

/* ssh_argv must refuse, with err starting with want_prefix, containing no
 * control character, leaving argv NULL and display untouched. */
static void expect_refused(const struct ssh_target *t, const struct config *c, const char *want_prefix)
{
	char **argv = (char **)1;
	struct buf display = {0}, err = {0};
	buf_adds(&display, "keep");
	int rc = ssh_argv(t, c, NULL, &argv, &display, &err);
	assert_int_equal(rc, -1);
	assert_null(argv);
	assert_string_equal(buf_str(&display), "keep");
	if (strncmp(buf_str(&err), want_prefix, strlen(want_prefix)))
		fail_msg("error \"%s\" does not start with \"%s\"", buf_str(&err), want_prefix);
	for (const unsigned char *p = (const unsigned char *)buf_str(&err); *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("control character 0x%02x in \"%s\"", *p, buf_str(&err));
	buf_free(&display);
	buf_free(&err);
}

/* ---- config keys ---- */

static void test_config_keys(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	assert_string_equal(c.ssh_bastion_user, "ec2-user");
	assert_string_equal(c.ssh_user, "ubuntu");
	assert_string_equal(c.ssh_identity_file, "");
	assert_int_equal(c.ssh_options.n, 0);
	assert_int_equal(c.ssh_port, 22);
	assert_string_equal(c.ssh_program, "ssh");
	config_free(&c);

	char dir[] = "/tmp/relcon-test-sshcfg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/config.yaml", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("ssh:\n"
	      "  bastion_user: admin\n"
	      "  user: readyset\n"
	      "  identity_file: ~/.ssh/readyset.pem\n"
	      "  options: [ConnectTimeout=10, \"ServerAliveInterval=30\"]\n"
	      "  port: 2222\n"
	      "  program: /usr/bin/ssh\n",
	      fp);
	fclose(fp);
	struct buf err = {0};
	if (config_load(&c, path, &err))
		fail_msg("%s", buf_str(&err));
	assert_string_equal(c.ssh_bastion_user, "admin");
	assert_string_equal(c.ssh_user, "readyset");
	assert_string_equal(c.ssh_identity_file, "~/.ssh/readyset.pem");
	assert_int_equal(c.ssh_options.n, 2);
	assert_string_equal(c.ssh_options.v[0], "ConnectTimeout=10");
	assert_string_equal(c.ssh_options.v[1], "ServerAliveInterval=30");
	assert_int_equal(c.ssh_port, 2222);
	assert_string_equal(c.ssh_program, "/usr/bin/ssh");
	config_free(&c);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("ssh:\n  port: 65536\n", fp);
	fclose(fp);
	assert_int_equal(config_load(&c, path, &err), -1);
	assert_non_null(strstr(buf_str(&err), ":2: ssh.port: must be between 1 and 65535"));
	config_free(&c);
	buf_free(&err);
	unlink(path);
	rmdir(dir);
}

/* ---- argv ---- */

static void test_argv_bastion(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	struct ssh_target t = {.bastion_ip = EIP};
	static const char *const want[] = {"ssh", "ec2-user@" EIP, NULL};
	expect_argv(&t, &c, NULL, want, "ssh ec2-user@" EIP);
	/* An empty command is an interactive session too. */
	static const char *const none[] = {NULL};
	expect_argv(&t, &c, none, want, "ssh ec2-user@" EIP);
	config_free(&c);
}

static void test_argv_private_jump(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	struct ssh_target t = {.bastion_ip = EIP, .private_ip = PRIV};
	static const char *const want[] = {"ssh", "-J", "ec2-user@" EIP, "ubuntu@" PRIV, NULL};
	expect_argv(&t, &c, NULL, want, "ssh -J ec2-user@203.0.113.10 ubuntu@10.0.1.23");

	/* Another port: -p for the private host, :PORT for the hop. */
	c.ssh_port = 2222;
	static const char *const want_port[] = {"ssh",          "-p", "2222", "-J", "ec2-user@" EIP ":2222",
						"ubuntu@" PRIV, NULL};
	expect_argv(&t, &c, NULL, want_port, "ssh -p 2222 -J ec2-user@203.0.113.10:2222 ubuntu@10.0.1.23");

	/* Host names are fine (DNS outputs, private DNS names). */
	c.ssh_port = 22;
	struct ssh_target n = {.bastion_ip = "bastion.example.com",
			       .private_ip = "ip-10-0-1-23.us-east-2.compute.internal"};
	static const char *const want_names[] = {"ssh", "-J", "ec2-user@bastion.example.com",
						 "ubuntu@ip-10-0-1-23.us-east-2.compute.internal", NULL};
	expect_argv(&n, &c, NULL, want_names,
		    "ssh -J ec2-user@bastion.example.com ubuntu@ip-10-0-1-23.us-east-2.compute.internal");
	config_free(&c);
}

static void test_argv_identity_options_port(void **state)
{
	(void)state;
	char *old_home = xstrdup(getenv("HOME"));
	setenv("HOME", "/home/alice", 1);
	struct config c;
	config_defaults(&c);
	set_str(&c.ssh_identity_file, "~/.ssh/readyset.pem");
	add_option(&c, "ConnectTimeout=10");
	add_option(&c, "ServerAliveInterval=30");
	c.ssh_port = 2222;

	/* The bastion itself: no hop. */
	struct ssh_target b = {.bastion_ip = EIP};
	static const char *const want_b[] = {"ssh",
					     "-i",
					     "/home/alice/.ssh/readyset.pem",
					     "-p",
					     "2222",
					     "-o",
					     "ConnectTimeout=10",
					     "-o",
					     "ServerAliveInterval=30",
					     "ec2-user@" EIP,
					     NULL};
	expect_argv(&b, &c, NULL, want_b,
		    "ssh -i /home/alice/.ssh/readyset.pem -p 2222 -o ConnectTimeout=10 -o ServerAliveInterval=30 "
		    "ec2-user@203.0.113.10");

	/* A private host: -J would not pass -i and -o to the hop, so the hop
	 * is spelled out with the same key, port and options. */
	struct ssh_target p = {.bastion_ip = EIP, .private_ip = PRIV};
	static const char *const want_p[] = {"ssh",
					     "-i",
					     "/home/alice/.ssh/readyset.pem",
					     "-p",
					     "2222",
					     "-o",
					     "ConnectTimeout=10",
					     "-o",
					     "ServerAliveInterval=30",
					     "-o",
					     "ProxyCommand=ssh -i /home/alice/.ssh/readyset.pem -p 2222 -o "
					     "ConnectTimeout=10 -o ServerAliveInterval=30 "
					     "-W %h:%p ec2-user@203.0.113.10",
					     "ubuntu@" PRIV,
					     NULL};
	expect_argv(&p, &c, NULL, want_p,
		    "ssh -i /home/alice/.ssh/readyset.pem -p 2222 -o ConnectTimeout=10 -o ServerAliveInterval=30 "
		    "-o 'ProxyCommand=ssh -i /home/alice/.ssh/readyset.pem -p 2222 -o ConnectTimeout=10 "
		    "-o ServerAliveInterval=30 -W %h:%p ec2-user@203.0.113.10' ubuntu@10.0.1.23");

	/* Identity only, default port, another program. */
	config_free(&c);
	config_defaults(&c);
	set_str(&c.ssh_identity_file, "/keys/k.pem");
	set_str(&c.ssh_program, "/opt/openssh/bin/ssh");
	set_str(&c.ssh_user, "readyset");
	set_str(&c.ssh_bastion_user, "admin");
	static const char *const want_i[] = {"/opt/openssh/bin/ssh",
					     "-i",
					     "/keys/k.pem",
					     "-o",
					     "ProxyCommand=/opt/openssh/bin/ssh -i /keys/k.pem -W %h:%p admin@" EIP,
					     "readyset@" PRIV,
					     NULL};
	expect_argv(&p, &c, NULL, want_i,
		    "/opt/openssh/bin/ssh -i /keys/k.pem -o 'ProxyCommand=/opt/openssh/bin/ssh -i /keys/k.pem -W %h:%p "
		    "admin@203.0.113.10' readyset@10.0.1.23");
	config_free(&c);
	setenv("HOME", old_home, 1);
	free(old_home);
}

static void test_argv_command(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	struct ssh_target p = {.bastion_ip = EIP, .private_ip = PRIV};
	static const char *const cmd[] = {"sudo", "journalctl", "-u", "readyset", "-n", "50", NULL};
	static const char *const want[] = {"ssh",        "-J", "ec2-user@" EIP, "ubuntu@" PRIV, "--", "sudo",
					   "journalctl", "-u", "readyset",      "-n",           "50", NULL};
	expect_argv(&p, &c, cmd, want,
		    "ssh -J ec2-user@203.0.113.10 ubuntu@10.0.1.23 -- sudo journalctl -u readyset -n 50");

	/* Command words are the user's own and go to ssh as given; the display
	 * quotes them so the line pastes back into a shell unchanged. */
	static const char *const cmd2[] = {"sh", "-c", "echo 'hi' $HOME; ls *", "", NULL};
	static const char *const want2[] = {"ssh", "ec2-user@" EIP,         "--", "sh",
					    "-c",  "echo 'hi' $HOME; ls *", "",   NULL};
	struct ssh_target b = {.bastion_ip = EIP};
	expect_argv(&b, &c, cmd2, want2, "ssh ec2-user@203.0.113.10 -- sh -c 'echo '\\''hi'\\'' $HOME; ls *' ''");

	/* A control character never reaches the display raw. */
	static const char *const cmd3[] = {"printf", "a\nb\x1b[2J", NULL};
	static const char *const want3[] = {"ssh", "ec2-user@" EIP, "--", "printf", "a\nb\x1b[2J", NULL};
	expect_argv(&b, &c, cmd3, want3, "ssh ec2-user@203.0.113.10 -- printf $'a\\x0ab\\x1b[2J'");
	config_free(&c);
}

static void test_quote(void **state)
{
	(void)state;
	static const char *const list[] = {"plain-1.2_x/y:z@h,k+=v%",
					   "",
					   "a b",
					   "it's",
					   "a\nb",
					   "\x1b[31mred",
					   "caf\xc3\xa9",
					   "back\\slash\x01",
					   "q'\t",
					   "~x",
					   "*",
					   "$HOME",
					   "-W",
					   "[%h]:%p",
					   NULL};
	struct buf b = {0};
	char **w = words(list);
	ssh_quote_argv(w, &b);
	ssh_argv_free(&w);
	assert_string_equal(buf_str(&b), "plain-1.2_x/y:z@h,k+=v% '' 'a b' 'it'\\''s' $'a\\x0ab' $'\\x1b[31mred' "
					 "$'caf\\xc3\\xa9' $'back\\\\slash\\x01' $'q\\'\\x09' '~x' '*' '$HOME' -W "
					 "'[%h]:%p'");
	buf_free(&b);
}

/* ---- refusals ---- */

static void test_refuse_addresses(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	static const char *const bad[] = {
		"1.2.3.4 -oProxyCommand=x",
		"-oProxyCommand=x",
		"",
		"1.2.3.4\n",
		"10.0.1.23\x1b[2J",
		"256.1.1.1",
		"1.2.3",
		"01.2.3.4",
		"1.2.3.4.5",
		"1234",
		"a..b",
		"-a.b",
		"a-.b",
		"a_b.example",
		"h\xc3\xb6st",
		"1.2.3.4:22",
		"[::1]",
		"::1",
		"host name",
		"host;id",
		"$(id)",
		"`id`",
		"10.0.1.23\r",
		"user@10.0.1.23",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ssh_target b = {.bastion_ip = bad[i], .bastion_source = "output EIP1 of BastionStack"};
		if (!*bad[i])
			expect_refused(&b, &c, "bastion address (output EIP1 of BastionStack): missing");
		else
			expect_refused(&b, &c, "bastion address (output EIP1 of BastionStack): \"");
		struct ssh_target p = {.bastion_ip = EIP, .private_ip = bad[i]};
		expect_refused(&p, &c, *bad[i] ? "private address: \"" : "private address: missing");
	}
	/* The exact message for the classic injection. */
	struct ssh_target b = {.bastion_ip = "1.2.3.4 -oProxyCommand=x"};
	struct buf err = {0};
	char **argv = NULL;
	assert_int_equal(ssh_argv(&b, &c, NULL, &argv, NULL, &err), -1);
	assert_string_equal(buf_str(&err),
			    "bastion address: \"1.2.3.4 -oProxyCommand=x\" is not an IPv4 address or host name");
	buf_reset(&err);
	struct ssh_target e = {.bastion_ip = "10.0.1.23\x1b]52;c;AAAA\x07"};
	assert_int_equal(ssh_argv(&e, &c, NULL, &argv, NULL, &err), -1);
	assert_string_equal(buf_str(&err),
			    "bastion address: \"10.0.1.23^[]52;c;AAAA^G\" is not an IPv4 address or host name");
	buf_reset(&err);
	struct ssh_target none = {0};
	assert_int_equal(ssh_argv(&none, &c, NULL, &argv, NULL, &err), -1);
	assert_string_equal(buf_str(&err), "bastion address: missing (the stack has no bastion address yet)");
	buf_reset(&err);
	/* Longest name: 253 bytes in labels of 63. */
	char name[300];
	memset(name, 'a', sizeof name);
	for (size_t i = 63; i < sizeof name; i += 64)
		name[i] = '.';
	name[253] = '\0';
	struct ssh_target l = {.bastion_ip = name};
	assert_int_equal(ssh_argv(&l, &c, NULL, &argv, NULL, &err), 0);
	ssh_argv_free(&argv);
	name[253] = 'a';
	name[254] = '\0';
	expect_refused(&l, &c, "bastion address: \"");
	memset(name, 'a', 64);
	name[64] = '\0'; /* one label of 64 */
	expect_refused(&l, &c, "bastion address: \"");
	buf_free(&err);
	config_free(&c);
}

static void test_refuse_users(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	static const char *const bad[] = {"-oX", "Root",   "1abc",
					  "a b", "",       "ec2-user@host",
					  "a;b", "user\n", "abcdefghijklmnopqrstuvwxyz0123456"};
	struct ssh_target p = {.bastion_ip = EIP, .private_ip = PRIV};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		set_str(&c.ssh_user, bad[i]);
		expect_refused(&p, &c, "ssh.user: \"");
		set_str(&c.ssh_user, "ubuntu");
		set_str(&c.ssh_bastion_user, bad[i]);
		expect_refused(&p, &c, "ssh.bastion_user: \"");
		set_str(&c.ssh_bastion_user, "ec2-user");
	}
	struct buf err = {0};
	char **argv = NULL;
	set_str(&c.ssh_user, "-oX");
	assert_int_equal(ssh_argv(&p, &c, NULL, &argv, NULL, &err), -1);
	assert_string_equal(buf_str(&err), "ssh.user: \"-oX\" is not a user name ([a-z_][a-z0-9_-]*)");
	/* ssh.user does not matter for the bastion itself. */
	struct ssh_target b = {.bastion_ip = EIP};
	buf_reset(&err);
	assert_int_equal(ssh_argv(&b, &c, NULL, &argv, NULL, &err), 0);
	ssh_argv_free(&argv);
	/* 32 bytes is the longest. */
	set_str(&c.ssh_bastion_user, "_bcdefghijklmnopqrstuvwxyz01234-");
	assert_int_equal(ssh_argv(&b, &c, NULL, &argv, NULL, &err), 0);
	ssh_argv_free(&argv);
	buf_free(&err);
	config_free(&c);
}

static void test_refuse_options(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	static const char *const bad[] = {
		"-oProxyCommand=touch /tmp/x",
		"ProxyCommand=touch /tmp/x",
		"ProxyCommand=nc",
		"proxyjump=evil",
		"PROXYJUMP=evil",
		"ConnectTimeout",
		"=10",
		"ConnectTimeout=",
		"ConnectTimeout=-1",
		"ControlPath=a b",
		"LocalCommand=$(id)",
		"X=a;b",
		"X=a|b",
		"Connect-Timeout=10",
		"ControlPath=~/.ssh/cm",
		"ControlPath=%h",
		"X=a\nb",
		"X=\x1b[2J",
		"X='q'",
		"1X=y",
	};
	struct ssh_target p = {.bastion_ip = EIP, .private_ip = PRIV};
	add_option(&c, "BatchMode=yes");
	add_option(&c, "placeholder=1");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		set_str(&c.ssh_options.v[1], bad[i]);
		expect_refused(&p, &c, "ssh.options item 2: \"");
	}
	struct buf err = {0};
	char **argv = NULL;
	set_str(&c.ssh_options.v[1], "-oProxyCommand=touch /tmp/x");
	assert_int_equal(ssh_argv(&p, &c, NULL, &argv, NULL, &err), -1);
	assert_string_equal(buf_str(&err),
			    "ssh.options item 2: \"-oProxyCommand=touch /tmp/x\" must start with an option name (a "
			    "letter), not '-'");
	buf_reset(&err);
	set_str(&c.ssh_options.v[1], "ProxyCommand=nc");
	assert_int_equal(ssh_argv(&p, &c, NULL, &argv, NULL, &err), -1);
	assert_string_equal(buf_str(&err), "ssh.options item 2: \"ProxyCommand=nc\" sets the route, which relcon "
					   "chooses (through the stack's bastion)");
	/* Values with '=' and ',' are fine (e.g. lists of algorithms). */
	set_str(&c.ssh_options.v[1], "HostKeyAlgorithms=ssh-ed25519,rsa-sha2-512");
	buf_reset(&err);
	assert_int_equal(ssh_argv(&p, &c, NULL, &argv, NULL, &err), 0);
	ssh_argv_free(&argv);
	buf_free(&err);
	config_free(&c);
}

static void test_refuse_program_identity_port(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	struct ssh_target p = {.bastion_ip = EIP, .private_ip = PRIV};
	static const char *const bad_prog[] = {"", "-oProxyCommand=x", "ssh; rm -rf /", "my ssh", "ssh\n", "$SSH"};
	for (size_t i = 0; i < sizeof bad_prog / sizeof bad_prog[0]; i++) {
		set_str(&c.ssh_program, bad_prog[i]);
		expect_refused(&p, &c, "ssh.program: \"");
	}
	set_str(&c.ssh_program, "ssh");
	static const char *const bad_id[] = {"/tmp/my key", "-i", "/k;id", "/k\n", "/k%h", "/k$HOME", "~user/k"};
	for (size_t i = 0; i < sizeof bad_id / sizeof bad_id[0]; i++) {
		set_str(&c.ssh_identity_file, bad_id[i]);
		expect_refused(&p, &c, "ssh.identity_file: \"");
	}
	set_str(&c.ssh_identity_file, "");
	c.ssh_port = 0;
	expect_refused(&p, &c, "ssh.port: 0 is not between 1 and 65535");
	c.ssh_port = 65536;
	expect_refused(&p, &c, "ssh.port: 65536 is not between 1 and 65535");
	config_free(&c);
}

/* ---- preflight ---- */

static void test_preflight(void **state)
{
	(void)state;
	char dir[] = "/tmp/relcon-test-sshkey-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct config c;
	config_defaults(&c);
	struct buf err = {0};
	assert_int_equal(ssh_preflight(&c, &err), 0); /* no identity file */

	char path[128];
	snprintf(path, sizeof path, "%s/key.pem", dir);
	set_str(&c.ssh_identity_file, path);
	assert_int_equal(ssh_preflight(&c, &err), -1);
	char want[512];
	snprintf(want, sizeof want, "ssh.identity_file: %s: No such file or directory", path);
	assert_string_equal(buf_str(&err), want);

	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "secret\n", 7), 7);
	close(fd);
	buf_reset(&err);
	assert_int_equal(ssh_preflight(&c, &err), 0);
	assert_int_equal(err.len, 0);

	chmod(path, 0644);
	assert_int_equal(ssh_preflight(&c, &err), -1);
	snprintf(want, sizeof want,
		 "ssh.identity_file: %s is open to others (mode 0644) and ssh refuses it: chmod 600 %s", path, path);
	assert_string_equal(buf_str(&err), want);
	/* Only the path is ever shown, never the content. */
	assert_null(strstr(buf_str(&err), "secret"));

	buf_reset(&err);
	set_str(&c.ssh_identity_file, dir);
	assert_int_equal(ssh_preflight(&c, &err), -1);
	snprintf(want, sizeof want, "ssh.identity_file: %s: not a regular file", dir);
	assert_string_equal(buf_str(&err), want);

	unlink(path);
	rmdir(dir);
	buf_free(&err);
	config_free(&c);
}

/* ---- running a child (no sshd needed) ---- */

struct run {
	int rc, status;
	char out[8192], errout[8192];
	struct buf msg;
	long long ms;
};

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void slurp(int fd, char *dst, size_t cap)
{
	lseek(fd, 0, SEEK_SET);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(fd, dst + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	dst[n] = '\0';
}

/* Run argv with stdin from in_text (NULL: /dev/null) and stdout/stderr
 * captured in files, within timeout_ms. */
static void run_io(const char *const *argv_in, const char *in_text, long timeout_ms, struct run *r)
{
	char **argv = words(argv_in);
	memset(r, 0, sizeof *r);
	FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
	assert_non_null(in);
	assert_non_null(out);
	assert_non_null(err);
	if (in_text) {
		fputs(in_text, in);
		fflush(in);
		rewind(in);
	}
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(devnull >= 0);
	struct ssh_io io = {.in_fd = in_text ? fileno(in) : devnull,
			    .out_fd = fileno(out),
			    .err_fd = fileno(err),
			    .timeout_ms = timeout_ms};
	long long t0 = mono_ms();
	r->rc = ssh_run_io(argv, &io, &r->status, &r->msg);
	r->ms = mono_ms() - t0;
	slurp(fileno(out), r->out, sizeof r->out);
	slurp(fileno(err), r->errout, sizeof r->errout);
	ssh_argv_free(&argv);
	close(devnull);
	fclose(in);
	fclose(out);
	fclose(err);
}

static void test_run_statuses(void **state)
{
	(void)state;
	struct run r;

	static const char *const ok[] = {"sh", "-c", "echo hello; echo to-stderr >&2", NULL};
	run_io(ok, NULL, 10000, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "hello\n");
	assert_string_equal(r.errout, "to-stderr\n"); /* copied through */
	assert_int_equal(r.msg.len, 0);
	buf_free(&r.msg);

	static const char *const in[] = {"sh", "-c", "read x; echo got:$x", NULL};
	run_io(in, "input-line\n", 10000, &r);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "got:input-line\n");
	buf_free(&r.msg);

	/* 255: ssh's own failure, with its last line on stderr. */
	static const char *const conn[] = {
		"sh", "-c",
		"printf 'Warning: something\\nssh: connect to host 127.0.0.1 port 1: Connection refused\\r\\n' >&2;"
		"exit 255",
		NULL};
	run_io(conn, NULL, 10000, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 255);
	assert_string_equal(
		buf_str(&r.msg),
		"ssh could not connect (exit 255): ssh: connect to host 127.0.0.1 port 1: Connection refused");
	assert_string_equal(r.errout,
			    "Warning: something\nssh: connect to host 127.0.0.1 port 1: Connection refused\r\n");
	buf_free(&r.msg);

	static const char *const hop[] = {"sh", "-c",
					  "printf 'root@1.2.3.4: Permission denied (publickey).\\r\\n"
					  "kex_exchange_identification: Connection closed by remote host\\r\\n"
					  "Connection closed by UNKNOWN port 65535\\r\\n' >&2; exit 255",
					  NULL};
	run_io(hop, NULL, 10000, &r);
	assert_string_equal(buf_str(&r.msg),
			    "ssh could not connect (exit 255): root@1.2.3.4: Permission denied (publickey).");
	buf_free(&r.msg);

	static const char *const only_noise[] = {"sh", "-c",
						 "echo 'Connection closed by UNKNOWN port 65535' >&2; exit 255", NULL};
	run_io(only_noise, NULL, 10000, &r);
	assert_string_equal(buf_str(&r.msg),
			    "ssh could not connect (exit 255): Connection closed by UNKNOWN port 65535");
	buf_free(&r.msg);

	static const char *const silent[] = {"sh", "-c", "exit 255", NULL};
	run_io(silent, NULL, 10000, &r);
	assert_string_equal(buf_str(&r.msg), "ssh could not connect (exit 255)");
	buf_free(&r.msg);

	/* Whatever ssh relays from the far side is made inert in the message. */
	static const char *const hostile[] = {"sh", "-c", "printf 'x\\033]52;c;AAAA\\007\\033[2Jend' >&2; exit 255",
					      NULL};
	run_io(hostile, NULL, 10000, &r);
	assert_string_equal(buf_str(&r.msg), "ssh could not connect (exit 255): x^[]52;c;AAAA^G^[[2Jend");
	buf_free(&r.msg);

	static const char *const three[] = {"sh", "-c", "exit 3", NULL};
	run_io(three, NULL, 10000, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(buf_str(&r.msg), "the remote shell or command exited with status 3");
	buf_free(&r.msg);

	static const char *const term[] = {"sh", "-c", "kill -TERM $$", NULL};
	run_io(term, NULL, 10000, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 128 + SIGTERM);
	assert_string_equal(buf_str(&r.msg), "ssh was killed by signal 15 (Terminated)");
	buf_free(&r.msg);
}

static void test_run_exec_failures(void **state)
{
	(void)state;
	struct run r;
	static const char *const missing[] = {"/nonexistent/ssh", "-V", NULL};
	run_io(missing, NULL, 10000, &r);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.status, 127);
	assert_string_equal(buf_str(&r.msg), "ssh not found: /nonexistent/ssh: No such file or directory (install "
					     "openssh-client, or set ssh.program)");
	buf_free(&r.msg);

	static const char *const nopath[] = {"relcon-no-such-ssh-program", NULL};
	run_io(nopath, NULL, 10000, &r);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.status, 127);
	assert_non_null(strstr(buf_str(&r.msg), "ssh not found: relcon-no-such-ssh-program:"));
	buf_free(&r.msg);

	char path[] = "/tmp/relcon-test-notexec-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	chmod(path, 0644);
	const char *const noexec[] = {path, NULL};
	run_io(noexec, NULL, 10000, &r);
	unlink(path);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.status, 127);
	char want[128];
	snprintf(want, sizeof want, "cannot run %s: Permission denied", path);
	assert_string_equal(buf_str(&r.msg), want); /* even root needs an x bit */
	buf_free(&r.msg);

	struct buf err = {0};
	int status = 0;
	char *empty[] = {NULL};
	assert_int_equal(ssh_run(empty, &status, &err), -1);
	assert_int_equal(status, -1);
	assert_string_equal(buf_str(&err), "ssh: no command to run");
	buf_free(&err);
}

static void test_run_timeout_and_lingering_stderr(void **state)
{
	(void)state;
	struct run r;
	static const char *const slow[] = {"sh", "-c", "exec sleep 30", NULL};
	run_io(slow, NULL, 300, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 128 + SIGTERM);
	assert_string_equal(buf_str(&r.msg), "ssh timed out after 0.3 s and was stopped");
	assert_true(r.ms < 5000);
	buf_free(&r.msg);

	/* SIGTERM ignored: SIGKILL 2 s later. */
	static const char *const stubborn[] = {"sh", "-c", "trap '' TERM; while :; do sleep 0.05; done", NULL};
	run_io(stubborn, NULL, 200, &r);
	assert_int_equal(r.status, 128 + SIGKILL);
	assert_string_equal(buf_str(&r.msg), "ssh timed out after 0.2 s and was stopped");
	assert_true(r.ms >= 2000 && r.ms < 8000);
	buf_free(&r.msg);

	/* A process ssh leaves behind (a ProxyCommand, a ControlPersist master)
	 * may hold stderr open: the wait ends when ssh does. */
	static const char *const linger[] = {"sh", "-c", "sleep 3 & echo bye", NULL};
	run_io(linger, NULL, 20000, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "bye\n");
	assert_true(r.ms < 2500);
	buf_free(&r.msg);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void test_run_signals_and_fds(void **state)
{
	(void)state;
	/* relcon's handlers and ignored signals do not reach ssh: a SIGINT
	 * ignored here kills the child; afterwards our own disposition is
	 * back. */
	struct sigaction ign, handler, old_int, old_usr1, now;
	memset(&ign, 0, sizeof ign);
	sigemptyset(&ign.sa_mask);
	handler = ign;
	ign.sa_handler = SIG_IGN;
	handler.sa_handler = on_usr1;
	sigaction(SIGINT, &handler, &old_int);
	sigaction(SIGUSR1, &ign, &old_usr1);
	sigset_t block, old_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old_mask);

	/* Each would be survived if it reached the child as relcon has it. */
	static const char *const sigs[] = {"USR1", "TERM", "INT"};
	static const int nums[] = {SIGUSR1, SIGTERM, SIGINT};
	struct run r;
	for (size_t i = 0; i < 3; i++) {
		char script[128];
		snprintf(script, sizeof script, "kill -%s $$; echo survived", sigs[i]);
		const char *const argv[] = {"sh", "-c", script, NULL};
		run_io(argv, NULL, 10000, &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.status, 128 + nums[i]);
		assert_string_equal(r.out, "");
		buf_free(&r.msg);
	}

	sigaction(SIGINT, NULL, &now);
	assert_ptr_equal(now.sa_handler, on_usr1);
	sigaction(SIGUSR1, NULL, &now);
	assert_ptr_equal(now.sa_handler, SIG_IGN);
	sigaction(SIGPIPE, NULL, &now);
	assert_ptr_equal(now.sa_handler, SIG_DFL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGUSR1, &old_usr1, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);

	/* Only fds 0-2 reach the child, even one opened without O_CLOEXEC. */
	int leak = open("/dev/null", O_RDONLY);
	assert_true(leak > 2);
	static const char *const fds[] = {"sh", "-c",
					  "for f in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do"
					  " if [ -e /proc/$$/fd/$f ]; then echo open:$f; fi; done; echo done",
					  NULL};
	run_io(fds, NULL, 10000, &r);
	close(leak);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "done\n");
	buf_free(&r.msg);
}

/* ---- against a real sshd ---- */

struct sshd {
	char top[64]; /* the test's temporary directory */
	char dir[96]; /* top/sshd: sshd.sh's DIR */
	char port[16], key[160], known_hosts[160], user[64];
	long pid;
};

static struct sshd sshd_env;

static void on_watchdog(int sig)
{
	(void)sig;
	static const char msg[] = "test_ssh: watchdog: the sshd tests ran for 240 s; stopping sshd\n";
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	if (sshd_env.pid > 0)
		kill((pid_t)sshd_env.pid, SIGTERM);
	_exit(99);
}

static void copy_value(char *dst, size_t cap, const char *v)
{
	size_t n = strcspn(v, "\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Stop sshd and remove everything; safe to call at any point. */
static int sshd_teardown(void **state)
{
	(void)state;
	alarm(0);
	if (!sshd_env.top[0])
		return 0;
	char cmd[160];
	snprintf(cmd, sizeof cmd, "sh tests/ssh/sshd.sh stop '%s'", sshd_env.dir);
	int rc = system(cmd);
	(void)rc;
	nftw(sshd_env.top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	memset(&sshd_env, 0, sizeof sshd_env);
	return 0;
}

/* Start tests/ssh/sshd.sh (from the repository root, where the tests run)
 * and read what it prints.  Any failure fails the whole group. */
static int sshd_setup(void **state)
{
	memset(&sshd_env, 0, sizeof sshd_env);
	strcpy(sshd_env.top, "/tmp/relcon-test-sshd-XXXXXX");
	if (!mkdtemp(sshd_env.top)) {
		fprintf(stderr, "test_ssh: mkdtemp: %s\n", strerror(errno));
		sshd_env.top[0] = '\0';
		return -1;
	}
	snprintf(sshd_env.dir, sizeof sshd_env.dir, "%s/sshd", sshd_env.top);
	if (access("tests/ssh/sshd.sh", R_OK) < 0) {
		fprintf(stderr, "test_ssh: tests/ssh/sshd.sh not found: run from the repository root\n");
		sshd_teardown(state);
		return -1;
	}
	/* Bounded even if sshd misbehaves: every wait in sshd.sh is, and so is
	 * every ssh run below; this is the last resort. */
	signal(SIGALRM, on_watchdog);
	alarm(240);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "sh tests/ssh/sshd.sh start '%s' >'%s/env'", sshd_env.dir, sshd_env.top);
	int rc = system(cmd);
	if (rc != 0) {
		fprintf(stderr, "test_ssh: tests/ssh/sshd.sh start failed (exit %d): the SSH tests cannot run\n",
			WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
		sshd_teardown(state);
		return -1;
	}
	char path[128];
	snprintf(path, sizeof path, "%s/env", sshd_env.top);
	FILE *fp = fopen(path, "r");
	if (!fp) {
		sshd_teardown(state);
		return -1;
	}
	char line[512];
	while (fgets(line, sizeof line, fp)) {
		if (!strncmp(line, "SSHD_PORT=", 10))
			copy_value(sshd_env.port, sizeof sshd_env.port, line + 10);
		else if (!strncmp(line, "SSHD_KEY=", 9))
			copy_value(sshd_env.key, sizeof sshd_env.key, line + 9);
		else if (!strncmp(line, "SSHD_KNOWN_HOSTS=", 17))
			copy_value(sshd_env.known_hosts, sizeof sshd_env.known_hosts, line + 17);
		else if (!strncmp(line, "SSHD_USER=", 10))
			copy_value(sshd_env.user, sizeof sshd_env.user, line + 10);
		else if (!strncmp(line, "SSHD_PID=", 9))
			sshd_env.pid = strtol(line + 9, NULL, 10);
	}
	fclose(fp);
	if (!sshd_env.port[0] || !sshd_env.key[0] || !sshd_env.known_hosts[0] || !sshd_env.user[0]) {
		fprintf(stderr, "test_ssh: sshd.sh printed no SSHD_PORT/KEY/KNOWN_HOSTS/USER\n");
		sshd_teardown(state);
		return -1;
	}
	return 0;
}

/* The configuration the tests use against the loopback sshd. */
static void sshd_config(struct config *c)
{
	config_defaults(c);
	set_str(&c->ssh_user, sshd_env.user);
	set_str(&c->ssh_bastion_user, sshd_env.user);
	set_str(&c->ssh_identity_file, sshd_env.key);
	c->ssh_port = strtol(sshd_env.port, NULL, 10);
	char opt[256];
	snprintf(opt, sizeof opt, "UserKnownHostsFile=%s", sshd_env.known_hosts);
	add_option(c, opt);
	add_option(c, "BatchMode=yes");
	add_option(c, "ConnectTimeout=5");
}

/* Build for (bastion, private, command) under c and run it. */
static void ssh_to(const struct config *c, const char *bastion, const char *private_ip, const char *const *command,
		   long timeout_ms, struct run *r)
{
	struct ssh_target t = {.bastion_ip = bastion, .private_ip = private_ip};
	char **argv = NULL;
	struct buf display = {0}, err = {0};
	if (ssh_argv(&t, c, command, &argv, &display, &err))
		fail_msg("ssh_argv: %s", buf_str(&err));
	print_message("running: %s\n", buf_str(&display));
	run_io((const char *const *)argv, NULL, timeout_ms, r);
	ssh_argv_free(&argv);
	buf_free(&display);
	buf_free(&err);
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t len = sizeof a;
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	close(s);
	return ntohs(a.sin_port);
}

static void test_sshd_bastion(void **state)
{
	(void)state;
	struct config c;
	sshd_config(&c);
	struct ssh_target t = {.bastion_ip = "127.0.0.1"};
	char **argv = NULL;
	struct buf display = {0}, err = {0};
	static const char *const cmd[] = {"echo", "bastion-ok", NULL};
	assert_int_equal(ssh_argv(&t, &c, cmd, &argv, &display, &err), 0);
	assert_int_equal(ssh_preflight(&c, &err), 0);
	char want[1024];
	snprintf(want, sizeof want,
		 "ssh -i %s -p %s -o UserKnownHostsFile=%s -o BatchMode=yes -o ConnectTimeout=5 %s@127.0.0.1 -- echo "
		 "bastion-ok",
		 sshd_env.key, sshd_env.port, sshd_env.known_hosts, sshd_env.user);
	assert_string_equal(buf_str(&display), want);
	struct run r;
	run_io((const char *const *)argv, NULL, 30000, &r);
	if (r.rc || r.status)
		fail_msg("ssh failed: %s\nstderr: %s", buf_str(&r.msg), r.errout);
	assert_string_equal(r.out, "bastion-ok\n");
	assert_int_equal(r.msg.len, 0);
	buf_free(&r.msg);
	ssh_argv_free(&argv);
	buf_free(&display);
	buf_free(&err);

	/* Words starting with '-' reach the remote command, not ssh. */
	static const char *const dash[] = {"ls", "-d", "/", NULL};
	ssh_to(&c, "127.0.0.1", NULL, dash, 30000, &r);
	if (r.rc || r.status)
		fail_msg("ssh failed: %s\nstderr: %s", buf_str(&r.msg), r.errout);
	assert_string_equal(r.out, "/\n");
	buf_free(&r.msg);

	/* The remote command's status comes back. */
	static const char *const three[] = {"exit", "3", NULL};
	ssh_to(&c, "127.0.0.1", NULL, three, 30000, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(buf_str(&r.msg), "the remote shell or command exited with status 3");
	buf_free(&r.msg);
	config_free(&c);
}

static void test_sshd_private_through_bastion(void **state)
{
	(void)state;
	struct config c;
	sshd_config(&c);
	static const char *const cmd[] = {"echo", "private-ok", NULL};
	struct run r;
	ssh_to(&c, "127.0.0.1", "127.0.0.2", cmd, 30000, &r);
	if (r.rc || r.status)
		fail_msg("ssh failed: %s\nstderr: %s", buf_str(&r.msg), r.errout);
	assert_string_equal(r.out, "private-ok\n");
	buf_free(&r.msg);

	/* The session on the private host really came through the bastion:
	 * sshd saw a connection to 127.0.0.2 from 127.0.0.1. */
	char log[256];
	snprintf(log, sizeof log, "%s/sshd.log", sshd_env.dir);
	FILE *fp = fopen(log, "r");
	assert_non_null(fp);
	char line[1024];
	int seen = 0;
	while (fgets(line, sizeof line, fp))
		if (strstr(line, "Connection from 127.0.0.1 port") && strstr(line, "on 127.0.0.2 port"))
			seen = 1;
	fclose(fp);
	assert_true(seen);

	/* A hop to a dead bastion port fails with the hop's reason. */
	int port = free_port();
	c.ssh_port = port;
	ssh_to(&c, "127.0.0.1", "127.0.0.2", cmd, 30000, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 255);
	char want[256];
	snprintf(want, sizeof want,
		 "ssh could not connect (exit 255): ssh: connect to host 127.0.0.1 port %d: Connection refused", port);
	assert_string_equal(buf_str(&r.msg), want);
	buf_free(&r.msg);

	/* The bastion cannot reach the private host: its reason, not the
	 * outer ssh's "Connection closed by UNKNOWN port 65535". */
	config_free(&c);
	sshd_config(&c);
	ssh_to(&c, "127.0.0.1", "127.0.0.3", cmd, 30000, &r);
	assert_int_equal(r.status, 255);
	assert_string_equal(
		buf_str(&r.msg),
		"ssh could not connect (exit 255): channel 0: open failed: connect failed: Connection refused");
	assert_non_null(strstr(r.errout, "Connection closed by UNKNOWN port 65535"));
	buf_free(&r.msg);
	config_free(&c);
}

static void test_sshd_failures(void **state)
{
	(void)state;
	struct config c;
	sshd_config(&c);
	static const char *const cmd[] = {"echo", "bastion-ok", NULL};
	struct run r;

	/* Nothing listens on the port: 255 and ssh's own reason. */
	int port = free_port();
	c.ssh_port = port;
	ssh_to(&c, "127.0.0.1", NULL, cmd, 30000, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.status, 255);
	char want[256];
	snprintf(want, sizeof want,
		 "ssh could not connect (exit 255): ssh: connect to host 127.0.0.1 port %d: Connection refused", port);
	assert_string_equal(buf_str(&r.msg), want);
	assert_string_equal(r.out, "");
	buf_free(&r.msg);

	/* An unknown host key is not accepted: checking is never weakened. */
	config_free(&c);
	sshd_config(&c);
	set_str(&c.ssh_options.v[0], "UserKnownHostsFile=/dev/null");
	ssh_to(&c, "127.0.0.1", NULL, cmd, 30000, &r);
	assert_int_equal(r.status, 255);
	assert_string_equal(buf_str(&r.msg), "ssh could not connect (exit 255): Host key verification failed.");
	buf_free(&r.msg);

	/* A key the server does not know. */
	config_free(&c);
	sshd_config(&c);
	char other[256];
	snprintf(other, sizeof other, "%s/host_ed25519", sshd_env.dir); /* the host key is no client key */
	set_str(&c.ssh_identity_file, other);
	add_option(&c, "IdentitiesOnly=yes");
	add_option(&c, "IdentityAgent=none");
	ssh_to(&c, "127.0.0.1", NULL, cmd, 30000, &r);
	assert_int_equal(r.status, 255);
	assert_non_null(strstr(buf_str(&r.msg), "Permission denied (publickey)"));
	buf_free(&r.msg);

	/* No ssh at all: the 127 path. */
	config_free(&c);
	sshd_config(&c);
	set_str(&c.ssh_program, "/nonexistent/ssh");
	ssh_to(&c, "127.0.0.1", NULL, cmd, 30000, &r);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.status, 127);
	assert_string_equal(buf_str(&r.msg), "ssh not found: /nonexistent/ssh: No such file or directory (install "
					     "openssh-client, or set ssh.program)");
	buf_free(&r.msg);

	/* A session that does not end is stopped by the time limit. */
	config_free(&c);
	sshd_config(&c);
	static const char *const slow[] = {"sleep", "5", NULL}; /* outlives the limit, not the test */
	ssh_to(&c, "127.0.0.1", NULL, slow, 1500, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(buf_str(&r.msg), "ssh timed out after 1.5 s and was stopped");
	assert_true(r.ms < 10000);
	buf_free(&r.msg);
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest units[] = {
		cmocka_unit_test(test_config_keys),         cmocka_unit_test(test_argv_bastion),
		cmocka_unit_test(test_argv_private_jump),   cmocka_unit_test(test_argv_identity_options_port),
		cmocka_unit_test(test_argv_command),        cmocka_unit_test(test_quote),
		cmocka_unit_test(test_refuse_addresses),    cmocka_unit_test(test_refuse_users),
		cmocka_unit_test(test_refuse_options),      cmocka_unit_test(test_refuse_program_identity_port),
		cmocka_unit_test(test_preflight),           cmocka_unit_test(test_run_statuses),
		cmocka_unit_test(test_run_exec_failures),   cmocka_unit_test(test_run_timeout_and_lingering_stderr),
		cmocka_unit_test(test_run_signals_and_fds),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_sshd_bastion),
		cmocka_unit_test(test_sshd_private_through_bastion),
		cmocka_unit_test(test_sshd_failures),
	};
	int failed = cmocka_run_group_tests_name("ssh", units, NULL, NULL);
	failed += cmocka_run_group_tests_name("ssh against a real sshd", real, sshd_setup, sshd_teardown);
	return failed ? 1 : 0;
}
