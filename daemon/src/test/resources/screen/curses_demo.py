# A small curses program for the screen conformance recordings: a box (ACS line drawing), colour
# pairs, standout and bold text, a scrolling window, then a second screen after a key.
import curses

def main(stdscr):
    curses.start_color()
    curses.use_default_colors()
    curses.init_pair(1, curses.COLOR_RED, curses.COLOR_BLUE)
    curses.init_pair(2, 200, -1)
    stdscr.box()
    stdscr.addstr(1, 2, "corral curses demo", curses.A_BOLD)
    stdscr.addstr(2, 2, "red on blue", curses.color_pair(1))
    stdscr.addstr(3, 2, "colour 200", curses.color_pair(2) | curses.A_UNDERLINE)
    stdscr.addstr(4, 2, "standout", curses.A_STANDOUT)
    win = curses.newwin(8, 30, 8, 40)
    win.scrollok(True)
    for i in range(20):
        win.addstr("scrolled %d\n" % i)
    win.refresh()
    stdscr.refresh()
    stdscr.getch()
    stdscr.clear()
    stdscr.addstr(10, 10, "second screen", curses.A_REVERSE)
    stdscr.refresh()
    curses.napms(300)

curses.wrapper(main)
