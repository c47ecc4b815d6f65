/* tui/palette.h - the one-line prompts on the status line: the ":" command
 * palette (with Tab completion and history) and the "/" filter prompt. */
#ifndef RELCON_TUI_PALETTE_H
#define RELCON_TUI_PALETTE_H

struct tui;

/* Open the command palette; Enter runs the line through tui_command. */
void palette_open(struct tui *t);

/* Open a prompt "label" with initial text.  on_change(ud, text) runs on
 * every edit (incremental filtering); on_done(ud, text, accepted) runs once
 * when Enter (accepted = 1) or Esc (accepted = 0) closes it. */
void prompt_open(struct tui *t, const char *label, const char *initial, void (*on_change)(void *ud, const char *text),
		 void (*on_done)(void *ud, const char *text, int accepted), void *ud);

#endif
