/**
 * `city completion bash|zsh`: a shell completion script generated from the command tree itself
 * (subcommands, options, option choices), so it can never list a command or flag the CLI lacks.
 * The zsh script loads zsh's bash-completion layer (`bashcompinit`) and registers the same function.
 */
import { Argument, type Command, type Option } from 'commander';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../lib/_terminal.js';

/** The shells `city completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;

/**
 * Registers `completion <shell>` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * completionCommand(program, io);
 * ```
 */
export function completionCommand(program: Command, io: CliIo): void {
  program
    .command('completion')
    .description('print a shell completion script (bash or zsh) generated from these commands')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(COMPLETION_SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  $ source <(city completion bash)                 # this shell; add the line to ~/.bashrc to keep it
  $ city completion bash > ~/.local/share/bash-completion/completions/city
  $ source <(city completion zsh)                  # in ~/.zshrc, after compinit`,
    )
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh')
        throw new CliError('USAGE_ERROR', `completion expects bash or zsh, got ${JSON.stringify(shell)}`);
      io.stdout.write(completionScript(program, shell));
    });
}

interface Node {
  readonly path: string;
  readonly subcommands: readonly string[];
  readonly options: readonly string[];
  readonly valueOptions: readonly string[];
  readonly choices: ReadonlyMap<string, readonly string[]>;
}

/** Every command of the tree with what may follow it. */
function collect(command: Command, path: string, nodes: Node[]): void {
  const visible = command.commands.filter((sub) => !(sub as unknown as { _hidden: boolean })._hidden);
  const options: string[] = ['--help'];
  const valueOptions: string[] = [];
  const choices = new Map<string, readonly string[]>();
  for (const option of command.options as readonly Option[]) {
    if (option.hidden) continue;
    const names = [option.long, option.short].filter((name): name is string => name !== undefined);
    options.push(...names.filter((name) => name.startsWith('--')));
    if (option.required || option.optional) {
      valueOptions.push(...names);
      if (option.argChoices !== undefined) for (const name of names) choices.set(name, option.argChoices);
    }
  }
  nodes.push({ path, subcommands: visible.map((sub) => sub.name()), options, valueOptions, choices });
  for (const sub of visible) collect(sub, path === '' ? sub.name() : `${path} ${sub.name()}`, nodes);
}

function quote(words: readonly string[]): string {
  // Command and option names are [a-z0-9-]; quoting keeps a future odd name from breaking the script.
  return `'${words.join(' ').replace(/'/g, `'\\''`)}'`;
}

/** The completion script for `shell`, from the command tree of `program`. */
function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const nodes: Node[] = [];
  collect(program, '', nodes);
  const nodeCases = nodes
    .map(
      (node) =>
        `    ${quote([node.path])}) _city_subs=${quote(node.subcommands)}; _city_opts=${quote(node.options)}; _city_vals=${quote(node.valueOptions)} ;;`,
    )
    .join('\n');
  const choiceCases = nodes
    .flatMap((node) =>
      [...node.choices].map(
        ([option, words]) => `    ${quote([`${node.path}|${option}`])}) _city_words=${quote(words)} ;;`,
      ),
    )
    .join('\n');
  const bash = `# ${shell} completion for city, generated from its command definitions by \`city completion ${shell}\`
_city_node() {
  case "$1" in
${nodeCases}
    *) _city_subs=''; _city_opts='--help'; _city_vals='' ;;
  esac
}
_city_choices() {
  case "$1|$2" in
${choiceCases}
    *) return 1 ;;
  esac
}
_city() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" word i expect=0
  [ "$COMP_CWORD" -gt 0 ] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [ "$expect" = 1 ]; then expect=0; continue; fi
    _city_node "$path"
    case "$word" in
      --*=*) continue ;;
      -*) case " $_city_vals " in *" $word "*) expect=1 ;; esac; continue ;;
    esac
    case " $_city_subs " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  _city_node "$path"
  COMPREPLY=()
  if [ "$expect" = 1 ]; then
    if _city_choices "$path" "$prev"; then
      COMPREPLY=($(compgen -W "$_city_words" -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$_city_opts" -- "$cur"))
  elif [ -n "$_city_subs" ]; then
    COMPREPLY=($(compgen -W "$_city_subs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
  return 0
}
complete -o filenames -F _city city
`;
  if (shell === 'bash') return bash;
  return `#compdef city
# Loads zsh's bash-completion layer, then the same completion as for bash.
autoload -U +X compinit && { (( $+functions[compdef] )) || compinit; }
autoload -U +X bashcompinit && bashcompinit
${bash}`;
}
