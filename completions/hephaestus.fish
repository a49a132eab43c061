# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hephaestus_global_optspecs
    string join \n config= color= v/verbose q/quiet h/help V/version
end

function __fish_hephaestus_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hephaestus_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hephaestus_using_subcommand
    set -l cmd (__fish_hephaestus_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hephaestus -n "__fish_hephaestus_needs_command" -l config -d 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]' -r -F
complete -c hephaestus -n "__fish_hephaestus_needs_command" -l color -d 'When to color the output; NO_COLOR in the environment also turns color off' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hephaestus -n "__fish_hephaestus_needs_command" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -s q -l quiet -d 'Print only results and errors'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -s h -l help -d 'Print help'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -s V -l version -d 'Print version'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -f -a "init" -d 'Write an annotated hephaestus.yaml (owner/repository prefilled from the git origin)'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -f -a "analyze" -d 'Read finished log files and report incidents; exit 1 if one tripped'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -f -a "watch" -d 'Follow logs live (stdin, or files like `tail -F`) and report incidents as they trip'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -f -a "patterns" -d 'Show the message templates mined from logs'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -f -a "man" -d 'Print the manual page (roff), of hephaestus or of one of its commands'
complete -c hephaestus -n "__fish_hephaestus_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand init" -s o -l output -d 'Where to write the configuration' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand init" -l config -d 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand init" -l color -d 'When to color the output; NO_COLOR in the environment also turns color off' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand init" -l force -d 'Overwrite the file if it exists'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand init" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand init" -s q -l quiet -d 'Print only results and errors'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand init" -s h -l help -d 'Print help'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l max-bytes -d 'Read at most SIZE bytes of each input (after decompression), e.g. 500MB, 2GiB; the rest of an input is skipped with a warning [default: no limit for files and pipes, 1GiB for devices like /dev/zero]' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l repo -d 'Repository the fixes are proposed for [default: the git repository containing the current directory]. Repeat as SERVICE=DIR to send each service\'s fixes to its own repository: an entry whose service, unit, container or logger is SERVICE goes to DIR (see `repos:` in the config for log-path globs)' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l format -d 'Output format' -r -f -a "text\t''
json\t''
patch\t'`analyze` only: the proposed fixes as one patch on stdout, for `git apply`; the report goes to stderr'"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l patch-out -d 'Also write the proposed fixes to FILE as one patch, for `git apply` (at the end of the run)' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l threshold-level -d 'Lowest level that counts towards a threshold (trace, debug, info, notice, warn, error, critical)' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l threshold-count -d 'How many entries of one kind within the window trip an incident' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l threshold-window -d 'Length of the sliding window, e.g. 30s, 5m, 1h' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l mode -d 'suggest: print the patch; deploy: commit it on a branch and open a pull request' -r -f -a "suggest\t''
deploy\t''"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l config -d 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l color -d 'When to color the output; NO_COLOR in the environment also turns color off' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l dry-run -d 'With --mode deploy: print the branch, commit and requests a deploy would make; change nothing'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -l show-prompt -d 'Print the request fix.llm would send to the model for each incident, after redaction, and send nothing'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -s q -l quiet -d 'Print only results and errors'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand analyze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l poll -d 'Poll files for changes every INTERVAL (1s if not given: --poll or --poll=500ms) instead of using inotify (network filesystems, containers)' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l exclude -d 'Do not follow files matching GLOB (repeatable)' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l state-dir -d 'Where read positions and deploy records are kept, so a restart goes on where it stopped; one watch at a time per directory [default: state_dir from the config, else $XDG_STATE_HOME/hephaestus or ~/.local/state/hephaestus]' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l idle-flush -d 'Hand on an unfinished line or entry after its source is quiet this long' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l repo -d 'Repository the fixes are proposed for [default: the git repository containing the current directory]. Repeat as SERVICE=DIR to send each service\'s fixes to its own repository: an entry whose service, unit, container or logger is SERVICE goes to DIR (see `repos:` in the config for log-path globs)' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l format -d 'Output format' -r -f -a "text\t''
json\t''
patch\t'`analyze` only: the proposed fixes as one patch on stdout, for `git apply`; the report goes to stderr'"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l patch-out -d 'Also write the proposed fixes to FILE as one patch, for `git apply` (at the end of the run)' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l threshold-level -d 'Lowest level that counts towards a threshold (trace, debug, info, notice, warn, error, critical)' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l threshold-count -d 'How many entries of one kind within the window trip an incident' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l threshold-window -d 'Length of the sliding window, e.g. 30s, 5m, 1h' -r
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l mode -d 'suggest: print the patch; deploy: commit it on a branch and open a pull request' -r -f -a "suggest\t''
deploy\t''"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l config -d 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l color -d 'When to color the output; NO_COLOR in the environment also turns color off' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l no-echo -d 'Do not pass stdin on to stdout (by default it is echoed byte for byte, like tee)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l from-start -d 'Read files that exist at start from their beginning instead of their end (files with a checkpoint go on from it)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l follow-symlinks -d 'Read files through symbolic links (by default a link, given or matched by a glob, is skipped with a warning)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l emit-entries -d 'With --format json, also print every parsed entry as a {"type":"entry",...} line'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l dry-run -d 'With --mode deploy: print the branch, commit and requests a deploy would make; change nothing'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -l show-prompt -d 'Print the request fix.llm would send to the model for each incident, after redaction, and send nothing'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -s q -l quiet -d 'Print only results and errors'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand patterns" -l format -d 'Output format' -r -f -a "text\t''
json\t''
patch\t'`analyze` only: the proposed fixes as one patch on stdout, for `git apply`; the report goes to stderr'"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand patterns" -l config -d 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand patterns" -l color -d 'When to color the output; NO_COLOR in the environment also turns color off' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand patterns" -l raw -d 'Treat every line as one message: no format parsing, no multi-line joining'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand patterns" -l per-line -d 'Print the pattern of every entry instead of the table'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand patterns" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand patterns" -s q -l quiet -d 'Print only results and errors'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand patterns" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand completions" -l config -d 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand completions" -l color -d 'When to color the output; NO_COLOR in the environment also turns color off' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand completions" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand completions" -s q -l quiet -d 'Print only results and errors'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand completions" -s h -l help -d 'Print help'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand man" -l config -d 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]' -r -F
complete -c hephaestus -n "__fish_hephaestus_using_subcommand man" -l color -d 'When to color the output; NO_COLOR in the environment also turns color off' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hephaestus -n "__fish_hephaestus_using_subcommand man" -s v -l verbose -d 'Print more detail (repeat for more)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand man" -s q -l quiet -d 'Print only results and errors'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand man" -s h -l help -d 'Print help'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand help; and not __fish_seen_subcommand_from init analyze watch patterns completions man help" -f -a "init" -d 'Write an annotated hephaestus.yaml (owner/repository prefilled from the git origin)'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand help; and not __fish_seen_subcommand_from init analyze watch patterns completions man help" -f -a "analyze" -d 'Read finished log files and report incidents; exit 1 if one tripped'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand help; and not __fish_seen_subcommand_from init analyze watch patterns completions man help" -f -a "watch" -d 'Follow logs live (stdin, or files like `tail -F`) and report incidents as they trip'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand help; and not __fish_seen_subcommand_from init analyze watch patterns completions man help" -f -a "patterns" -d 'Show the message templates mined from logs'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand help; and not __fish_seen_subcommand_from init analyze watch patterns completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand help; and not __fish_seen_subcommand_from init analyze watch patterns completions man help" -f -a "man" -d 'Print the manual page (roff), of hephaestus or of one of its commands'
complete -c hephaestus -n "__fish_hephaestus_using_subcommand help; and not __fish_seen_subcommand_from init analyze watch patterns completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
