package dev.sluice.content;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A plan's deny rules, read from its file ({@code SLUICE_PLANS_<NAME>_DENY_FILE}): one rule a line,
 * {@code name: regex}, or {@code name: "a literal phrase"} (matched ignoring case); blank lines and lines
 * starting with {@code #} are skipped. Every pattern is compiled once.
 *
 * <p><b>Bounded.</b> Java's regular expressions backtrack, and a pattern like {@code (a+)+$} takes
 * exponential time on some text: on the event loop that would stall every request of the instance. So
 * each rule reads the text through {@link BoundedText}, which counts the characters the matcher looks at
 * and stops it after {@value #MIN_STEPS} looks plus {@value #STEPS_PER_CHARACTER} per character of text:
 * linear in the text whatever the pattern, tens of milliseconds at most for a prompt, and room for the
 * quadratic scans that {@code find} makes of an ordinary pattern starting with {@code .*}. A rule stopped
 * that way counts as matched: the request is refused (fail closed), and the log names the rule so that its
 * author can fix it.
 */
public final class DenyRules {

    /** Looks per character beyond the minimum: a literal or a simple class needs one or two. */
    static final int STEPS_PER_CHARACTER = 16;
    /** About 20–50 ms of matching on this box: a backtracking pattern on a short text stops here. */
    static final long MIN_STEPS = 10_000_000;

    public static final DenyRules NONE = new DenyRules(List.of());

    private final List<DenyRule> rules;

    public DenyRules(List<DenyRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<DenyRule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * Parses a deny file's lines.
     *
     * @throws IllegalArgumentException naming the line and what is wrong with it
     */
    public static DenyRules parse(List<String> lines) {
        List<DenyRule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).strip();
            String expression = colon < 0 ? "" : line.substring(colon + 1).strip();
            if (name.isEmpty() || expression.isEmpty() || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("line " + (i + 1) + ": a rule is 'name: regex' or 'name: \"phrase\"', its name "
                        + "letters, digits, '_', '.' or '-' (at most 64)");
            }
            Pattern pattern;
            if (expression.length() >= 2 && expression.startsWith("\"") && expression.endsWith("\"")) {
                pattern = Pattern.compile(Pattern.quote(expression.substring(1, expression.length() - 1)),
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            } else {
                try {
                    pattern = Pattern.compile(expression);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("line " + (i + 1) + " (rule " + name + "): " + e.getDescription());
                }
            }
            rules.add(new DenyRule(name, pattern));
        }
        return new DenyRules(rules);
    }

    /** What the rules say of a request's text. */
    public sealed interface Verdict {
    }

    public record Allowed() implements Verdict {
    }

    /** @param rule the first rule that matched */
    public record Denied(DenyRule rule) implements Verdict {
    }

    /** @param rule a rule that could not decide within its bounds: the request is refused */
    public record Undecided(DenyRule rule) implements Verdict {
    }

    private static final Allowed ALLOWED = new Allowed();

    /** The first rule that matches one of {@code texts}, in file order. */
    public Verdict check(List<String> texts) {
        for (DenyRule rule : rules) {
            for (String text : texts) {
                BoundedText bounded = new BoundedText(text, MIN_STEPS + (long) text.length() * STEPS_PER_CHARACTER);
                Matcher matcher = rule.pattern().matcher(bounded);
                try {
                    if (matcher.find()) {
                        return new Denied(rule);
                    }
                } catch (BoundedText.OutOfSteps e) {
                    return new Undecided(rule);
                }
            }
        }
        return ALLOWED;
    }
}
