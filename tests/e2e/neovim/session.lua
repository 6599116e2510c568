-- Drives frugal-lsp from a real Neovim 0.7 (headless), set up as docs/editors.md says.
-- Prints one line per finding; the pytest side reads them.
local server = os.getenv("FRUGAL_SERVER")
local statuses = {}
local client_id = vim.lsp.start_client({
  name = "frugal",
  cmd = { server, "serve" },
  root_dir = vim.fn.getcwd(),
  settings = { frugal = { tier = "auto", debounceMs = 50, enableCompletions = true } },
  handlers = {
    ["frugal/status"] = function(_, status) table.insert(statuses, status) end,
  },
})
vim.cmd("edit calc.py")
vim.lsp.buf_attach_client(0, client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id).initialized end)
local uri = vim.uri_from_bufnr(0)
local done = vim.lsp.buf_request_sync(0, "textDocument/completion",
  { textDocument = { uri = uri }, position = { line = 1, character = 4 } }, 15000)
for _, r in pairs(done or {}) do
  local items = r.result and (r.result.items or r.result) or {}
  for _, it in ipairs(items) do print("COMPLETION " .. it.label .. " | " .. tostring(it.detail)) end
end
local actions = vim.lsp.buf_request_sync(0, "textDocument/codeAction",
  { textDocument = { uri = uri },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 1, character = 4 } },
    context = { diagnostics = {} } }, 15000)
for _, r in pairs(actions or {}) do
  for _, a in ipairs(r.result or {}) do print("ACTION " .. a.title) end
end
vim.wait(500)
local last = statuses[#statuses]
print("STATUS " .. #statuses .. " " .. tostring(last and last.state))
vim.lsp.stop_client(client_id)
vim.wait(500)
vim.cmd("qa!")
