package dev.sluice.sim;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code /v1/files}, each call one request and no tokens (OpenAI's Files reference): upload
 * ({@code POST}, {@code multipart/form-data} with {@code purpose} and {@code file}), list, retrieve, the
 * content ({@code application/octet-stream}, the bytes as uploaded), delete. An upload is written to
 * disk as it arrives ({@link StoredFiles}), and judged once it is whole, as every other call is judged
 * once its body is in; it is kept only if it is admitted and answered. Sources:
 * https://platform.openai.com/docs/api-reference/files and the schemas {@code CreateFileRequest},
 * {@code OpenAIFile}, {@code ListFilesResponse}, {@code DeleteFileResponse} in OpenAI's OpenAPI description, github.com/openai/openai-openapi {@code openapi.yaml} (read at f85dbe2). The 400s'
 * wording is the simulator's own, and so is the 404's as far as any source here shows ("No such File
 * object: id", as OpenAI is remembered to word it, not checked).
 */
final class FileHandler {

    /** The purposes OpenAI's upload accepts ({@code CreateFileRequest}). */
    static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");

    private final Gate gate;
    private final StoredFiles files;

    FileHandler(Gate gate, StoredFiles files) {
        this.gate = gate;
        this.files = files;
    }

    void upload(HttpServerRequest request) {
        long arrivalNanos = gate.nowNanos();
        Caller caller = gate.caller(request);
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (caller == null || type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            request.handler(ignored -> { }); // read to its end without keeping it, then answer
            request.end().onSuccess(ended -> {
                if (caller == null) {
                    gate.unauthorized(request, arrivalNanos);
                } else {
                    gate.badRequest(request, caller, "Invalid Content-Type header (" + type + "), expected"
                            + " multipart/form-data.", null, null, arrivalNanos);
                }
            });
            return;
        }
        StoredFiles.StoredFile reserved = files.reserve();
        AtomicReference<HttpServerFileUpload> fileUpload = new AtomicReference<>();
        AtomicReference<Future<Void>> written = new AtomicReference<>(Future.succeededFuture());
        request.setExpectMultipart(true);
        request.uploadHandler(upload -> {
            if (upload.name().equals("file") && fileUpload.compareAndSet(null, upload)) {
                written.set(upload.streamToFileSystem(reserved.path().toString()));
            } else {
                upload.handler(ignored -> { }); // a second file: read and dropped
            }
        });
        request.end().onComplete(ended -> written.get().onComplete(done -> {
            if (ended.failed() || done.failed()) {
                StoredFiles.discard(reserved.path()); // the caller went away, or the disk failed: nothing to answer
                if (done.failed() && ended.succeeded()) {
                    request.connection().close();
                }
                return;
            }
            judgeUpload(request, caller, reserved, fileUpload.get(), arrivalNanos);
        }));
    }

    private void judgeUpload(HttpServerRequest request, Caller caller, StoredFiles.StoredFile reserved,
                             HttpServerFileUpload upload, long arrivalNanos) {
        String purpose = request.formAttributes().get("purpose");
        String problem = upload == null ? "file" : purpose == null ? "purpose" : null;
        if (problem != null || !PURPOSES.contains(purpose)) {
            StoredFiles.discard(reserved.path());
            gate.badRequest(request, caller, problem != null ? "Missing required parameter: '" + problem + "'."
                    : "Invalid value for 'purpose': '" + purpose + "' is not one of " + PURPOSES + ".",
                    problem != null ? problem : "purpose", null, arrivalNanos);
            return;
        }
        StoredFiles.StoredFile file = new StoredFiles.StoredFile(reserved.id(), upload.size(),
                System.currentTimeMillis() / 1000, upload.filename(), purpose, reserved.path());
        gate.admit(request, caller, new Call() {
            @Override
            public void reply(Answer answer) {
                files.add(file);
                answer.json(200, file.json());
            }

            @Override
            public void dropped() {
                StoredFiles.discard(file.path());
            }
        }, arrivalNanos);
    }

    void list(HttpServerRequest request) {
        int limit;
        try {
            limit = Integer.parseInt(request.getParam("limit", "10000"));
        } catch (NumberFormatException e) {
            limit = 0;
        }
        int pageSize = limit < 1 || limit > 10_000 ? 10_000 : limit;
        boolean ascending = "asc".equals(request.getParam("order"));
        gate.admitAfterBody(request, answer -> {
            List<StoredFiles.StoredFile> rest = files.list(request.getParam("purpose"), ascending, request.getParam("after"));
            List<StoredFiles.StoredFile> page = rest.subList(0, Math.min(pageSize, rest.size()));
            StringBuilder json = new StringBuilder(64 + page.size() * 220).append("{\"object\":\"list\",\"data\":[");
            for (int index = 0; index < page.size(); index++) {
                json.append(index == 0 ? "" : ",").append(page.get(index).json());
            }
            json.append("],\"first_id\":").append(page.isEmpty() ? "null" : '"' + page.get(0).id() + '"')
                    .append(",\"last_id\":").append(page.isEmpty() ? "null" : '"' + page.get(page.size() - 1).id() + '"')
                    .append(",\"has_more\":").append(rest.size() > page.size()).append('}');
            answer.json(200, json.toString());
        });
    }

    void retrieve(HttpServerRequest request, String id) {
        gate.admitAfterBody(request, answer -> {
            StoredFiles.StoredFile file = files.get(id);
            if (file == null) {
                notFound(answer, id);
            } else {
                answer.json(200, file.json());
            }
        });
    }

    void content(HttpServerRequest request, String id) {
        gate.admitAfterBody(request, answer -> {
            StoredFiles.StoredFile file = files.get(id);
            if (file == null) {
                notFound(answer, id);
                return;
            }
            answer.putProcessingMillis();
            answer.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                    .sendFile(file.path().toString())
                    .onFailure(failed -> answer.request().connection().close()); // deleted meanwhile
        });
    }

    void delete(HttpServerRequest request, String id) {
        gate.admitAfterBody(request, answer -> {
            if (files.remove(id) == null) {
                notFound(answer, id);
            } else {
                answer.json(200, "{\"id\":" + ReplyBodies.quote(id) + ",\"object\":\"file\",\"deleted\":true}");
            }
        });
    }

    private static void notFound(Answer answer, String id) {
        answer.notFound("No such File object: " + id, "id");
    }
}
