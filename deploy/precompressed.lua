-- Streamlit's static bundles, compressed once ahead of time (zstd -19 and gzip -9 by deploy/run-local
-- --precompress-to), served by HAProxy from memory. Loaded by deploy/haproxy.cfg (lua-load).
--
-- Streamlit serves its bundles uncompressed on purpose and leaves compression to the proxy; HAProxy's
-- own gzip (libslz) has one fixed, low ratio and works again on every request. These files are content-hashed
-- and immutable, so compressing them once at the highest levels is free at run time and about a third
-- smaller than libslz. The directory named by $PRECOMPRESSED_DIR holds manifest.tsv (one line per file:
-- URL path, content type, content hash, encodings) and <URL path>.zst / .gz. A request for a listed file
-- whose Accept-Encoding takes zstd or gzip is answered here (fetch lua.precompressed names the encoding);
-- anything else (another file, a client taking neither, a stale manifest: the names carry a content hash,
-- so a file of another Streamlit version is simply not listed) goes on to the replicas as before.

local SUFFIX = { zstd = ".zst", gzip = ".gz" }
local PREFERENCE = { "zstd", "gzip" }  -- zstd -19 is about 16 % smaller than gzip -9 on these bundles
local CACHE = "public, immutable, max-age=31536000"  -- what Streamlit sends for these files

local files = {}

local function slurp(path)
    local handle = io.open(path, "rb")
    if not handle then
        return nil
    end
    local data = handle:read("a")
    handle:close()
    return data
end

local function load(dir)
    local manifest = io.open(dir .. "/manifest.tsv", "r")
    if not manifest then
        core.Warning("precompressed: no " .. dir .. "/manifest.tsv; HAProxy compresses the static files itself")
        return
    end
    local count, bytes = 0, 0
    for line in manifest:lines() do
        local url, kind, hash, encodings = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
        if url then
            local entry = { kind = kind, hash = hash }
            for encoding in encodings:gmatch("[^,]+") do
                if SUFFIX[encoding] then
                    entry[encoding] = slurp(dir .. url .. SUFFIX[encoding])
                    bytes = bytes + #(entry[encoding] or "")
                end
            end
            files[url] = entry
            count = count + 1
        end
    end
    manifest:close()
    core.Info(string.format("precompressed: %d files, %.1f MB in memory", count, bytes / 1e6))
end

local dir = os.getenv("PRECOMPRESSED_DIR")
if dir and dir ~= "" then
    load(dir)
end

-- The codings an Accept-Encoding header takes: name -> true (q > 0) or false (q=0). Headers come as a
-- table indexed from 0, one entry per header line.
local function accepted(lines)
    local takes = {}
    for index = 0, 16 do
        local line = lines and lines[index]
        if not line then
            break
        end
        for item in line:gmatch("[^,]+") do
            local name, parameters = item:match("^%s*([^;%s]+)%s*(.*)$")
            if name then
                local q = tonumber(parameters:match("[qQ]%s*=%s*([%d.]+)") or "1") or 0
                takes[name:lower()] = q > 0
            end
        end
    end
    return takes
end

local function choose(method, path, headers)
    if method ~= "GET" and method ~= "HEAD" then
        return nil
    end
    local entry = files[path]
    if not entry then
        return nil
    end
    local takes = accepted(headers["accept-encoding"])
    for _, encoding in ipairs(PREFERENCE) do
        local wanted = takes[encoding]
        if wanted == nil then
            wanted = takes["*"]
        end
        if entry[encoding] and wanted then
            return entry, encoding
        end
    end
    return nil
end

-- lua.precompressed: the encoding this request would be served with ("zstd", "gzip"), or "" (then it goes on).
core.register_fetches("precompressed", function(txn)
    local _, encoding = choose(txn.sf:method(), txn.sf:path(), txn.http:req_get_headers())
    return encoding or ""
end)

core.register_service("precompressed", "http", function(applet)
    local entry, encoding = choose(applet.method, applet.path, applet.headers)
    if not entry then  -- only reached if the rule in haproxy.cfg lets through what the fetch refused
        applet:set_status(404)
        applet:add_header("content-length", "0")
        applet:start_response()
        return
    end
    local body = entry[encoding]
    local etag = '"' .. entry.hash .. "-" .. encoding .. '"'
    applet:add_header("cache-control", CACHE)
    applet:add_header("vary", "Accept-Encoding")
    applet:add_header("etag", etag)
    local match = applet.headers["if-none-match"]
    if match and match[0] and (match[0]:find(etag, 1, true) or match[0] == "*") then
        applet:set_status(304)
        applet:start_response()
        return
    end
    applet:set_status(200)
    applet:add_header("content-type", entry.kind)
    applet:add_header("content-encoding", encoding)
    applet:add_header("content-length", tostring(#body))
    applet:start_response()
    if applet.method ~= "HEAD" then
        applet:send(body)
    end
end)
