function __wfctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __wfctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __wfctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __wfctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __wfctl_parse_tokens -S
    set -l unparsed_tokens (__wfctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'wfctl'
        __wfctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'definition=' 'input=' 'follow' 'wait' 'idempotency-key=' 'version' 'h/help'
        case 'events'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'after=' 'follow' 'version' 'h/help'
        case 'pending'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'respond'
            __wfctl_parse_subcommand 3 'socket=' 'json' 'wait' 'follow' 'version' 'h/help'
        case 'console'
            __wfctl_parse_subcommand 0 'socket=' 'json' 'listen=' 'no-browser' 'version' 'h/help'
        case 'signal'
            __wfctl_parse_subcommand 3 'socket=' 'json' 'follow' 'version' 'h/help'
        case 'cancel'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'runs'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'failed' 'limit=' 'version' 'h/help'
        case 'retry'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'wait' 'follow' 'version' 'h/help'
        case 'create'
            __wfctl_parse_subcommand 2 'socket=' 'json' 'on-busy=' 'version' 'h/help'
        case 'list'
            __wfctl_parse_subcommand 0 'socket=' 'json' 'definition=' 'limit=' 'version' 'h/help'
        case 'show'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'delete'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'cancel' 'version' 'h/help'
        case 'reset'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'cancel' 'upgrade' 'version' 'h/help'
        case 'pause'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'reason=' 'version' 'h/help'
        case 'resume'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'graph'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'format=' 'definition' 'version' 'h/help'
        case 'checkpoints'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'checkpoint'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'label=' 'version' 'h/help'
        case 'rewind'
            __wfctl_parse_subcommand 2 'socket=' 'json' 'version' 'h/help'
        case 'fork'
            __wfctl_parse_subcommand 3 'socket=' 'json' 'version' 'h/help'
        case 'prune'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'definitions'
            __wfctl_parse_subcommand 0 'socket=' 'json' 'version' 'h/help'
        case 'definition'
            __wfctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'show'
                __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
            end
        case 'validate'
            __wfctl_parse_subcommand -r 1 'json' 'version' 'h/help'
        case 'schedule'
            __wfctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __wfctl_parse_subcommand 0 'socket=' 'json' 'version' 'h/help'
            case 'show'
                __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
            case 'create'
                __wfctl_parse_subcommand 1 'socket=' 'json' 'instance=' 'definition=' 'cron=' 'every=' 'time-zone=' 'input=' 'overlap=' 'catch-up=' 'catch-up-window=' 'jitter=' 'paused' 'version' 'h/help'
            case 'pause'
                __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
            case 'resume'
                __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
            case 'trigger'
                __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
            case 'backfill'
                __wfctl_parse_subcommand 1 'socket=' 'json' 'from=' 'to=' 'version' 'h/help'
            case 'delete'
                __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
            end
        case 'status'
            __wfctl_parse_subcommand 0 'socket=' 'json' 'version' 'h/help'
        case 'top'
            __wfctl_parse_subcommand 0 'socket=' 'json' 'd/delay=' 'n/iterations=' 'version' 'h/help'
        case 'metrics'
            __wfctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'reload'
            __wfctl_parse_subcommand 0 'socket=' 'json' 'version' 'h/help'
        case 'help'
            __wfctl_parse_subcommand -r 1 'version'
        end
    end
end

function __wfctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __wfctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __wfctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __wfctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__wfctl_tokens -p)
    if test -z "$(__wfctl_tokens -t)"
        set -l index (count (__wfctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'wfctl' -f
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'run' -d 'Start a run on an instance (creating the instance if it does not exist).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'events' -d 'Show an instance\'s event log, or follow it live.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'pending' -d 'List open requests: of one instance, or of every instance you may see.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'respond' -d 'Answer a request a run raised for a person.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'console' -d 'Serve the web console: the inbox with a form for each open request, instances, graphs, live events.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'signal' -d 'Send an instance a named signal.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'cancel' -d 'Cancel the active run (returns once it has ended).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'runs' -d 'List an instance\'s runs, newest first; with --failed, the failed runs of every instance.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'retry' -d 'Take up the work an instance\'s failed or cancelled run left, in a new run.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'create' -d 'Create an instance from a loaded definition.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'list' -d 'List the instances you may see (root sees all).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'show' -d 'Show an instance: status, runs, open requests, waits, head checkpoint.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'delete' -d 'Delete an instance with its checkpoints, events and runs.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'reset' -d 'Make an instance like new: state, open requests, queue, keys and lineage, atomically.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'pause' -d 'Pause an instance: its run stops at the next boundary, nothing starts until it is resumed.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'resume' -d 'Resume a paused instance: its stopped run goes on, then what was kept.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'graph' -d 'Draw a workflow: an instance (with its live state), a definition, or a definition file.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'checkpoints' -d 'List an instance\'s checkpoints, oldest first (* marks the head).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'checkpoint' -d 'Take a checkpoint now (at the next superstep boundary of a running instance).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'rewind' -d 'Restore a checkpoint of an instance in place (a new branch starts there).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'fork' -d 'Create a new instance from a checkpoint of another.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'prune' -d 'Apply checkpoint retention now.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'definitions' -d 'List the loaded definitions, and the files that do not load.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'definition' -d 'Look at one definition.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'validate' -d 'Check definition files, offline (no daemon needed).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'schedule' -d 'List, show, create, pause, resume, trigger, backfill or delete schedules.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'status' -d 'Show what the daemon holds and does.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'top' -d 'Watch the daemon: instances, runs, commit rate and latency, each definition\'s runs, open requests by age.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'metrics' -d 'Print the daemon\'s metrics in Prometheus\' text format (what --metrics-listen serves at /metrics).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'reload' -d 'Re-read the definitions directory; returns once the reload is done.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" definition' -l 'definition' -d 'Create a missing instance from this definition (default: the definition named like the instance).' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" input' -l 'input' -d 'The input: JSON, @FILE, or - for standard input (default null).' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" follow' -l 'follow' -d 'Show the run as it happens and end with its outcome.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" wait' -l 'wait' -d 'Wait for the run to end and show its outcome.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" idempotency-key' -l 'idempotency-key' -d 'A key that makes the start idempotent: the same key returns the same run.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl events" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl events" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl events" after' -l 'after' -d 'Only events after this seq.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl events" follow' -l 'follow' -d 'Keep showing events as they happen (Ctrl-C ends).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl events" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl events" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pending" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pending" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pending" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pending" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl respond" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl respond" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl respond" wait' -l 'wait' -d 'Wait for the run the response goes to, and exit with its outcome.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl respond" follow' -l 'follow' -d 'Follow the run the response goes to.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl respond" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl respond" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl console" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl console" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl console" listen' -l 'listen' -d 'Where to listen: HOST:PORT, [IPv6]:PORT or PORT (on 127.0.0.1); port 0 takes a free one.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl console" no-browser' -l 'no-browser' -d 'Do not open a browser; only print the address.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl console" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl console" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl signal" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl signal" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl signal" follow' -l 'follow' -d 'Follow the run the signal goes to.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl signal" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl signal" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl cancel" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl cancel" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl cancel" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl runs" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl runs" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl runs" failed' -l 'failed' -d 'Only failed runs.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl runs" limit' -l 'limit' -d 'At most this many (1 to 1000).' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl runs" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl runs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl retry" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl retry" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl retry" wait' -l 'wait' -d 'Wait for the run to end, and exit with its outcome.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl retry" follow' -l 'follow' -d 'Follow the run.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl retry" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl retry" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl create" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl create" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl create" on-busy' -l 'on-busy' -d 'What a run started while another is active does: reject or queue.' -rfka 'reject queue'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl create" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl list" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl list" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl list" definition' -l 'definition' -d 'Only instances of this definition.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl list" limit' -l 'limit' -d 'At most this many.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl list" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl show" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl show" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl show" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl delete" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl delete" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl delete" cancel' -l 'cancel' -d 'Cancel an active run first (otherwise a busy instance is not deleted).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl delete" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reset" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reset" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reset" cancel' -l 'cancel' -d 'Cancel an active run first (otherwise a busy instance is not reset).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reset" upgrade' -l 'upgrade' -d 'Move to the definition\'s current version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reset" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reset" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pause" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pause" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pause" reason' -l 'reason' -d 'Why (shown by wfctl show).' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pause" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl pause" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl resume" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl resume" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl resume" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl graph" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl graph" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl graph" format' -l 'format' -d 'mermaid, dot, svg or text.' -rfka 'mermaid dot svg text'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl graph" definition' -l 'definition' -d 'NAME is a definition, even if an instance has that name.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl graph" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl graph" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoints" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoints" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoints" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoints" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoint" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoint" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoint" label' -l 'label' -d 'A name for it, unique in the instance.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoint" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl checkpoint" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl rewind" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl rewind" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl rewind" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl rewind" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl fork" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl fork" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl fork" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl fork" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl prune" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl prune" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl prune" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definitions" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definitions" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definitions" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definitions" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definition" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definition" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl definition" -eq 1' -fa 'show' -d 'Show a definition: its executors and document.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definition show" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definition show" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definition show" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl definition show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl validate" json' -l 'json' -d 'Print JSON.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl validate" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl schedule" -eq 1' -fa 'list' -d 'The schedules you may see, with their next fire.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl schedule" -eq 1' -fa 'show' -d 'One schedule: its declaration, next fire times, last fire.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl schedule" -eq 1' -fa 'create' -d 'Create a schedule (you own it; its runs start with your rights).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl schedule" -eq 1' -fa 'pause' -d 'Pause a schedule (runs already started go on).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl schedule" -eq 1' -fa 'resume' -d 'Resume a schedule from now.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl schedule" -eq 1' -fa 'trigger' -d 'Fire a schedule now (paused or not), with its overlap policy.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl schedule" -eq 1' -fa 'backfill' -d 'Fire a schedule for each of its times in a past range, queued in order.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_positional "wfctl schedule" -eq 1' -fa 'delete' -d 'Delete a schedule made with create (its runs stay).'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule list" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule list" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule list" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule show" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule show" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule show" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" instance' -l 'instance' -d 'The instance its runs start on.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" definition' -l 'definition' -d 'Create the instance from this definition when it does not exist.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" cron' -l 'cron' -d 'Five cron fields, or @hourly, @daily, @weekly, @monthly, @yearly.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" every' -l 'every' -d 'An interval instead of cron (30s, 15m, 2h, 1d).' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" time-zone' -l 'time-zone' -d 'The zone cron reads (default UTC).' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" input' -l 'input' -d 'Each run\'s input: JSON, @FILE, or - for standard input.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" overlap' -l 'overlap' -d 'When the instance is busy: skip (default), queue, cancelPrevious, allow.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" catch-up' -l 'catch-up' -d 'Fires missed while the daemon was down: none, latest (default), all.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" catch-up-window' -l 'catch-up-window' -d 'How far back missed fires count (default 24h).' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" jitter' -l 'jitter' -d 'Delay each fire by up to this much.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" paused' -l 'paused' -d 'Create it paused.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule pause" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule pause" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule pause" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule pause" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule resume" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule resume" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule resume" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule trigger" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule trigger" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule trigger" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule trigger" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule backfill" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule backfill" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule backfill" from' -l 'from' -d 'The range\'s start (RFC 3339), included.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule backfill" to' -l 'to' -d 'The range\'s end (RFC 3339), included.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule backfill" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule backfill" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule delete" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule delete" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule delete" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl schedule delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl status" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl status" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl status" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl top" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl top" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl top" d delay' -s 'd' -l 'delay' -d 'Seconds between refreshes.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl top" iterations n' -s 'n' -l 'iterations' -d 'Refresh this many times, then exit (default: until interrupted).' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl top" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl top" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl metrics" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl metrics" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl metrics" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl metrics" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reload" socket' -l 'socket' -d 'The daemon\'s socket.' -rfka ''
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reload" json' -l 'json' -d 'Print JSON: one document per result, one line per event when following.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reload" version' -l 'version' -d 'Show the version.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl reload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wfctl' -n '__wfctl_should_offer_completions_for_flags_or_options "wfctl help" version' -l 'version' -d 'Show the version.'
