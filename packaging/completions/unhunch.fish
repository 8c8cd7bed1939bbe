# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_unhunch_global_optspecs
    string join \n config= no-tray h/help V/version
end

function __fish_unhunch_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_unhunch_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_unhunch_using_subcommand
    set -l cmd (__fish_unhunch_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c unhunch -n "__fish_unhunch_needs_command" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_needs_command" -l no-tray -d 'Run without a tray icon (when no subcommand is given)'
complete -c unhunch -n "__fish_unhunch_needs_command" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_needs_command" -s V -l version -d 'Print version'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "run" -d 'Start the daemon in the foreground (the default)'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "status" -d 'Is the daemon running? What is showing, paused, next'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "done" -d 'Answer the reminder showing (or the one named): done'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "skip" -d 'Skip the reminder showing (or the one named)'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "snooze" -d 'Bring the reminder showing back later'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "pause" -d 'Show no reminders for a while'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "resume" -d 'End a pause'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "trigger" -d 'Show a reminder now'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "stop" -d 'Stop the running daemon'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "stats" -d 'Adherence and streaks per reminder and per day (reads the history)'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "history" -d 'The events in the history: every reminder shown and every answer'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "doctor" -d 'Check what unhunch needs: notifications, tray, config, history, daemon'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "service" -d 'Start unhunch at login: install, uninstall, status'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "man" -d 'Print the man page (roff), or write every page to a directory'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "plan" -d 'Show the reminders the schedule will produce'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "config" -d 'Find, check, create or edit the config file'
complete -c unhunch -n "__fish_unhunch_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c unhunch -n "__fish_unhunch_using_subcommand run" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand run" -l no-tray -d 'Run without a tray icon: notifications and commands only'
complete -c unhunch -n "__fish_unhunch_using_subcommand run" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand status" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand status" -l json -d 'The daemon\'s answer as JSON'
complete -c unhunch -n "__fish_unhunch_using_subcommand status" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand done" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand done" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand skip" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand skip" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand snooze" -l for -d 'How long (default: the reminder\'s snooze length), e.g. 10m, 1h' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand snooze" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand snooze" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand pause" -l for -d 'Pause for this long, e.g. 30m, 2h' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand pause" -l until -d 'Pause until this time (HH:MM) or "tomorrow"' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand pause" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand pause" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand resume" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand resume" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand trigger" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand trigger" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand stop" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand stop" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand stats" -l days -d 'How many days, up to today' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand stats" -l format -r -f -a "table\t''
json\t''
csv\t''"
complete -c unhunch -n "__fish_unhunch_using_subcommand stats" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand stats" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand history" -l since -d 'From this day on (YYYY-MM-DD, today, yesterday)' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand history" -l until -d 'Up to and including this day' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand history" -l reminder -d 'Only this reminder' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand history" -l limit -d 'At most this many events (the newest)' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand history" -l format -r -f -a "table\t''
json\t''
csv\t''"
complete -c unhunch -n "__fish_unhunch_using_subcommand history" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand history" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand doctor" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -f -a "install" -d 'Start unhunch at login (systemd user unit, or XDG autostart)'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -f -a "uninstall" -d 'Undo `install` (only files it wrote are removed)'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -f -a "status" -d 'How unhunch starts at login, and whether it runs now'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and not __fish_seen_subcommand_from install uninstall status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from install" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from uninstall" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from status" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "install" -d 'Start unhunch at login (systemd user unit, or XDG autostart)'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Undo `install` (only files it wrote are removed)'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "status" -d 'How unhunch starts at login, and whether it runs now'
complete -c unhunch -n "__fish_unhunch_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c unhunch -n "__fish_unhunch_using_subcommand completions" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand completions" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand man" -l dir -d 'Write unhunch.1 and a page per subcommand (unhunch-run.1 …) here' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand man" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand man" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand plan" -l from -d 'Start here instead of now: 2026-11-25, "2026-11-25 09:00", 14:00, 2026-11-25T09:00:00+01:00 or 2026-11-25T09:00[Europe/Berlin]' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand plan" -l days -d 'How many days to show' -r
complete -c unhunch -n "__fish_unhunch_using_subcommand plan" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand plan" -l json -d 'One JSON array of {id, kind, title, at, cause}; `at` is RFC 3339'
complete -c unhunch -n "__fish_unhunch_using_subcommand plan" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and not __fish_seen_subcommand_from path check init edit help" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and not __fish_seen_subcommand_from path check init edit help" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and not __fish_seen_subcommand_from path check init edit help" -f -a "path" -d 'Print the path of the config file in use'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and not __fish_seen_subcommand_from path check init edit help" -f -a "check" -d 'Validate a config file (default: the one in use) and list its reminders'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and not __fish_seen_subcommand_from path check init edit help" -f -a "init" -d 'Write the default config, with comments, to the config path'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and not __fish_seen_subcommand_from path check init edit help" -f -a "edit" -d 'Open the config in $VISUAL or $EDITOR, then check it'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and not __fish_seen_subcommand_from path check init edit help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from check" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from init" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from init" -l force -d 'Overwrite an existing file'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from edit" -l config -d 'Config file to use instead of the default location' -r -F
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the path of the config file in use'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate a config file (default: the one in use) and list its reminders'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write the default config, with comments, to the config path'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Open the config in $VISUAL or $EDITOR, then check it'
complete -c unhunch -n "__fish_unhunch_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "run" -d 'Start the daemon in the foreground (the default)'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "status" -d 'Is the daemon running? What is showing, paused, next'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "done" -d 'Answer the reminder showing (or the one named): done'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "skip" -d 'Skip the reminder showing (or the one named)'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "snooze" -d 'Bring the reminder showing back later'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "pause" -d 'Show no reminders for a while'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "resume" -d 'End a pause'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "trigger" -d 'Show a reminder now'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "stop" -d 'Stop the running daemon'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "stats" -d 'Adherence and streaks per reminder and per day (reads the history)'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "history" -d 'The events in the history: every reminder shown and every answer'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "doctor" -d 'Check what unhunch needs: notifications, tray, config, history, daemon'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "service" -d 'Start unhunch at login: install, uninstall, status'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "completions" -d 'Print shell completions'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "man" -d 'Print the man page (roff), or write every page to a directory'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "plan" -d 'Show the reminders the schedule will produce'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "config" -d 'Find, check, create or edit the config file'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and not __fish_seen_subcommand_from run status done skip snooze pause resume trigger stop stats history doctor service completions man plan config help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "install" -d 'Start unhunch at login (systemd user unit, or XDG autostart)'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "uninstall" -d 'Undo `install` (only files it wrote are removed)'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "status" -d 'How unhunch starts at login, and whether it runs now'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print the path of the config file in use'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Validate a config file (default: the one in use) and list its reminders'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write the default config, with comments, to the config path'
complete -c unhunch -n "__fish_unhunch_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "edit" -d 'Open the config in $VISUAL or $EDITOR, then check it'
