package dev.sluice.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.tokens.TokenEstimate;
import dev.sluice.tokens.TokenEstimator;
import dev.sluice.openai.Operation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What estimating a request's tokens adds to the request path: a ~1 KB chat request (a system
 * prompt and a short conversation in English), already parsed, counted with each encoding. Run
 * with src/bench/jmh.sh TokenEstimator.
 *
 * <p>The estimator is shared, as in the application; its bodies are fields, so nothing is folded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TokenEstimatorBenchmark {

    /** 946 bytes of JSON; 186 prompt tokens in either encoding. */
    static final String CHAT_1KB = """
            {"model":"gpt-4","max_tokens":256,"messages":[
             {"role":"system","content":"You are a support assistant for a bicycle shop. Answer briefly and politely, \
            quote prices in euros, and never promise delivery dates that the stock system has not confirmed."},
             {"role":"user","content":"Hello! I bought a city bike from you last spring and the rear brake has started \
            to squeal whenever it rains. Is that something I can fix myself, or should I bring it in?"},
             {"role":"assistant","content":"Squealing in wet weather usually comes from glazed or contaminated brake \
            pads. You can clean the rim with soapy water and lightly sand the pads; if they are worn past the groove \
            line, new pads cost 12 euros and fitting is free for bikes bought here."},
             {"role":"user","content":"Thanks. The pads look fine, but the noise is still there after cleaning. \
            Could it be the cable? It also feels a bit stiff when I pull the lever. What would a full service cost?"}]}
            """;

    private TokenEstimator estimator;
    private JsonNode cl100kRequest;
    private JsonNode o200kRequest;
    private long defaultMaxTokens;

    @Setup
    public void setUp() throws IOException {
        estimator = new TokenEstimator();
        ObjectMapper json = new ObjectMapper();
        cl100kRequest = json.readTree(CHAT_1KB.getBytes(StandardCharsets.UTF_8));
        o200kRequest = ((ObjectNode) cl100kRequest.deepCopy()).put("model", "gpt-4o");
        defaultMaxTokens = 4096;
    }

    /** gpt-4: cl100k_base, whose pre-tokenizer jtokkit hand-codes instead of running a regex. */
    @Benchmark
    public TokenEstimate chat1KbCl100k() {
        return estimator.estimate(Operation.CHAT_COMPLETIONS, cl100kRequest, defaultMaxTokens);
    }

    /** gpt-4o: o200k_base, split by regex. */
    @Benchmark
    public TokenEstimate chat1KbO200k() {
        return estimator.estimate(Operation.CHAT_COMPLETIONS, o200kRequest, defaultMaxTokens);
    }
}
