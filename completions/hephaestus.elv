
use builtin;
use str;

set edit:completion:arg-completer[hephaestus] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hephaestus'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hephaestus'= {
            cand --config 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]'
            cand --color 'When to color the output; NO_COLOR in the environment also turns color off'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write an annotated hephaestus.yaml (owner/repository prefilled from the git origin)'
            cand analyze 'Read finished log files and report incidents; exit 1 if one tripped'
            cand watch 'Follow logs live (stdin, or files like `tail -F`) and report incidents as they trip'
            cand patterns 'Show the message templates mined from logs'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff), of hephaestus or of one of its commands'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hephaestus;init'= {
            cand -o 'Where to write the configuration'
            cand --output 'Where to write the configuration'
            cand --config 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]'
            cand --color 'When to color the output; NO_COLOR in the environment also turns color off'
            cand --force 'Overwrite the file if it exists'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hephaestus;analyze'= {
            cand --max-bytes 'Read at most SIZE bytes of each input (after decompression), e.g. 500MB, 2GiB; the rest of an input is skipped with a warning [default: no limit for files and pipes, 1GiB for devices like /dev/zero]'
            cand --repo 'Repository the fixes are proposed for [default: the git repository containing the current directory]. Repeat as SERVICE=DIR to send each service''s fixes to its own repository: an entry whose service, unit, container or logger is SERVICE goes to DIR (see `repos:` in the config for log-path globs)'
            cand --format 'Output format'
            cand --patch-out 'Also write the proposed fixes to FILE as one patch, for `git apply` (at the end of the run)'
            cand --threshold-level 'Lowest level that counts towards a threshold (trace, debug, info, notice, warn, error, critical)'
            cand --threshold-count 'How many entries of one kind within the window trip an incident'
            cand --threshold-window 'Length of the sliding window, e.g. 30s, 5m, 1h'
            cand --mode 'suggest: print the patch; deploy: commit it on a branch and open a pull request'
            cand --config 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]'
            cand --color 'When to color the output; NO_COLOR in the environment also turns color off'
            cand --dry-run 'With --mode deploy: print the branch, commit and requests a deploy would make; change nothing'
            cand --show-prompt 'Print the request fix.llm would send to the model for each incident, after redaction, and send nothing'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hephaestus;watch'= {
            cand --poll 'Poll files for changes every INTERVAL (1s if not given: --poll or --poll=500ms) instead of using inotify (network filesystems, containers)'
            cand --exclude 'Do not follow files matching GLOB (repeatable)'
            cand --state-dir 'Where read positions and deploy records are kept, so a restart goes on where it stopped; one watch at a time per directory [default: state_dir from the config, else $XDG_STATE_HOME/hephaestus or ~/.local/state/hephaestus]'
            cand --idle-flush 'Hand on an unfinished line or entry after its source is quiet this long'
            cand --repo 'Repository the fixes are proposed for [default: the git repository containing the current directory]. Repeat as SERVICE=DIR to send each service''s fixes to its own repository: an entry whose service, unit, container or logger is SERVICE goes to DIR (see `repos:` in the config for log-path globs)'
            cand --format 'Output format'
            cand --patch-out 'Also write the proposed fixes to FILE as one patch, for `git apply` (at the end of the run)'
            cand --threshold-level 'Lowest level that counts towards a threshold (trace, debug, info, notice, warn, error, critical)'
            cand --threshold-count 'How many entries of one kind within the window trip an incident'
            cand --threshold-window 'Length of the sliding window, e.g. 30s, 5m, 1h'
            cand --mode 'suggest: print the patch; deploy: commit it on a branch and open a pull request'
            cand --config 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]'
            cand --color 'When to color the output; NO_COLOR in the environment also turns color off'
            cand --no-echo 'Do not pass stdin on to stdout (by default it is echoed byte for byte, like tee)'
            cand --from-start 'Read files that exist at start from their beginning instead of their end (files with a checkpoint go on from it)'
            cand --follow-symlinks 'Read files through symbolic links (by default a link, given or matched by a glob, is skipped with a warning)'
            cand --emit-entries 'With --format json, also print every parsed entry as a {"type":"entry",...} line'
            cand --dry-run 'With --mode deploy: print the branch, commit and requests a deploy would make; change nothing'
            cand --show-prompt 'Print the request fix.llm would send to the model for each incident, after redaction, and send nothing'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hephaestus;patterns'= {
            cand --format 'Output format'
            cand --config 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]'
            cand --color 'When to color the output; NO_COLOR in the environment also turns color off'
            cand --raw 'Treat every line as one message: no format parsing, no multi-line joining'
            cand --per-line 'Print the pattern of every entry instead of the table'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hephaestus;completions'= {
            cand --config 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]'
            cand --color 'When to color the output; NO_COLOR in the environment also turns color off'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hephaestus;man'= {
            cand --config 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]'
            cand --color 'When to color the output; NO_COLOR in the environment also turns color off'
            cand -v 'Print more detail (repeat for more)'
            cand --verbose 'Print more detail (repeat for more)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hephaestus;help'= {
            cand init 'Write an annotated hephaestus.yaml (owner/repository prefilled from the git origin)'
            cand analyze 'Read finished log files and report incidents; exit 1 if one tripped'
            cand watch 'Follow logs live (stdin, or files like `tail -F`) and report incidents as they trip'
            cand patterns 'Show the message templates mined from logs'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff), of hephaestus or of one of its commands'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hephaestus;help;init'= {
        }
        &'hephaestus;help;analyze'= {
        }
        &'hephaestus;help;watch'= {
        }
        &'hephaestus;help;patterns'= {
        }
        &'hephaestus;help;completions'= {
        }
        &'hephaestus;help;man'= {
        }
        &'hephaestus;help;help'= {
        }
    ]
    $completions[$command]
}
