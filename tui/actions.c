#include "tui/actions.h"

#include <string.h>

#include "core/buf.h"
#include "tui/keys.h"

static const struct {
	const char *name, *desc;
	enum action_group group;
	unsigned flags;
} info[ACTION_COUNT] = {[ACTION_NONE] = {"none", "", GROUP_GLOBAL, 0},
#define ACTION_ROW(e, n, d, g, f) [ACTION_##e] = {n, d, g, f},
			ACTION_INFO(ACTION_ROW)
#undef ACTION_ROW
};

/* The default keymap: key names, parsed once by the same code that prints them. */
static const struct {
	const char *key;
	enum action action;
} defaults[] = {
	{"q", ACTION_QUIT},
	{"Q", ACTION_QUIT_ALL},
	{"?", ACTION_HELP},
	{"<F1>", ACTION_HELP},
	{":", ACTION_PALETTE},
	{"r", ACTION_REFRESH},
	{"<C-r>", ACTION_REFRESH},
	{"<C-l>", ACTION_REDRAW},
	{"T", ACTION_THEME_NEXT},
	{"k", ACTION_MOVE_UP},
	{"<Up>", ACTION_MOVE_UP},
	{"j", ACTION_MOVE_DOWN},
	{"<Down>", ACTION_MOVE_DOWN},
	{"<PgUp>", ACTION_PAGE_UP},
	{"<C-b>", ACTION_PAGE_UP},
	{"<PgDn>", ACTION_PAGE_DOWN},
	{"<C-f>", ACTION_PAGE_DOWN},
	{"g", ACTION_MOVE_TOP},
	{"<Home>", ACTION_MOVE_TOP},
	{"G", ACTION_MOVE_BOTTOM},
	{"<End>", ACTION_MOVE_BOTTOM},
	{"<Enter>", ACTION_OPEN},
	{"<Esc>", ACTION_BACK},
	{"<Left>", ACTION_BACK},
	{"/", ACTION_FILTER},
	{"S", ACTION_SORT_NEXT},
	{"I", ACTION_SORT_REVERSE},
	{"<Tab>", ACTION_PANE_NEXT},
	{"m", ACTION_BRANCH_MAIN},
	{"B", ACTION_BRANCH_PICK},
	{"P", ACTION_RELEASES},
	{"i", ACTION_IMAGES},
	{"X", ACTION_STACKS},
	{"f", ACTION_SCOPE_NEXT},
	{"s", ACTION_SSH},
	{"D", ACTION_TEARDOWN},
	{"L", ACTION_LAUNCH},
	{"e", ACTION_EDIT},
	{"<Space>", ACTION_TAG},
	{"E", ACTION_TAG_EXPIRED},
	{"A", ACTION_AUDIT},
	{"b", ACTION_UNBLOCK_BUILD},
	{"a", ACTION_PROMOTE_ALPHA},
	{"R", ACTION_PROMOTE_RELEASE},
	{"y", ACTION_COPY},
	{"o", ACTION_OPEN_BROWSER},
	{"@", ACTION_COMMAND_LOG},
};
#define NDEFAULTS (sizeof defaults / sizeof defaults[0])

static int parsed_keys[NDEFAULTS];
static int parsed;

static void parse_defaults(void)
{
	if (parsed)
		return;
	for (size_t i = 0; i < NDEFAULTS; i++) {
		const char *s = defaults[i].key;
		parsed_keys[i] = key_parse(&s);
	}
	parsed = 1;
}

const char *action_name(enum action a)
{
	return a < ACTION_COUNT ? info[a].name : "none";
}

const char *action_description(enum action a)
{
	return a < ACTION_COUNT ? info[a].desc : "";
}

enum action_group action_group(enum action a)
{
	return a < ACTION_COUNT ? info[a].group : GROUP_GLOBAL;
}

unsigned action_flags(enum action a)
{
	return a < ACTION_COUNT ? info[a].flags : 0;
}

const char *action_group_title(enum action_group g)
{
	static const char *const titles[GROUP_COUNT] = {"Global", "Moving around", "Lists", "Builds", "Stacks"};
	return g < GROUP_COUNT ? titles[g] : "";
}

enum action action_by_name(const char *name)
{
	for (int a = 1; a < ACTION_COUNT; a++)
		if (!strcmp(info[a].name, name))
			return (enum action)a;
	return ACTION_NONE;
}

enum action keymap_lookup(int key)
{
	parse_defaults();
	for (size_t i = 0; i < NDEFAULTS; i++)
		if (parsed_keys[i] == key)
			return defaults[i].action;
	return ACTION_NONE;
}

void keymap_keys(enum action a, struct buf *out)
{
	parse_defaults();
	int first = 1;
	for (size_t i = 0; i < NDEFAULTS; i++) {
		if (defaults[i].action != a || parsed_keys[i] <= 0)
			continue;
		if (!first)
			buf_addc(out, ' ');
		key_format(parsed_keys[i], out);
		first = 0;
	}
}

void keymap_print(FILE *out)
{
	fprintf(out, "| keys | command | what it does |\n|---|---|---|\n");
	for (int g = 0; g < GROUP_COUNT; g++) {
		fprintf(out, "| **%s** | | |\n", action_group_title((enum action_group)g));
		for (int a = 1; a < ACTION_COUNT; a++) {
			if (info[a].group != (enum action_group)g)
				continue;
			struct buf k = {0};
			keymap_keys((enum action)a, &k);
			fprintf(out, "| `%s` | %s | %s |\n", k.len ? buf_str(&k) : "(palette)", info[a].name,
				info[a].desc);
			buf_free(&k);
		}
	}
}
