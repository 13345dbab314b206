package dev.sluice.api;

import dev.sluice.content.DenyRule;
import dev.sluice.content.DenyRules;
import dev.sluice.content.RequestText;
import dev.sluice.metrics.SluiceMetrics;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A plan's deny rules applied to a request's text, before any bucket: a match (or a rule that could not
 * decide within its bounds) is refused with OpenAI's {@code content_policy_violation}, logged and counted
 * by the rule's name, never by the text.
 */
final class DeniedText {

    private static final Logger LOG = Logger.getLogger("dev.sluice.content");

    private final SluiceMetrics metrics;
    /** The deny rules already reported as too slow to decide: once per rule, as a line per request would flood. */
    private final Set<String> undecidedRules = ConcurrentHashMap.newKeySet();

    DeniedText(SluiceMetrics metrics) {
        this.metrics = metrics;
    }

    /** @throws GatewayException a 400 naming the rule, when one denies the request or cannot decide on it */
    void refuseIfDenied(DenyRules rules, ProxiedRequest request, CallerIdentity caller, RequestLog log) {
        if (rules.isEmpty()) {
            return;
        }
        DenyRules.Verdict verdict = rules.check(RequestText.of(request.json()));
        DenyRule rule;
        if (verdict instanceof DenyRules.Denied denied) {
            rule = denied.rule();
        } else if (verdict instanceof DenyRules.Undecided undecided) {
            rule = undecided.rule();
            if (undecidedRules.add(caller.plan().name() + "/" + rule.name())) {
                LOG.warnf("Deny rule %s of plan %s needed too many steps on a request and refused it: its pattern "
                        + "backtracks; make it linear (no nested quantifiers such as (a+)+)", rule.name(), caller.plan().name());
            }
        } else {
            return;
        }
        log.denied(rule.name());
        metrics.denied(rule.name(), caller.plan().name());
        throw GatewayException.invalidRequest(400, "Your request was rejected by this gateway's content rules (rule "
                + rule.name() + ").", null, "content_policy_violation");
    }
}
