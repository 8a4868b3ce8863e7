// Reading grid: Enter saves the index (HTMX posts on "change") and moves to the
// next row, so a whole residence is keyed in without the mouse.
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !input.matches || !input.matches("table.grid input.index")) {
    return;
  }
  event.preventDefault();
  var inputs = Array.prototype.slice.call(document.querySelectorAll("table.grid input.index"));
  var next = inputs[inputs.indexOf(input) + (event.shiftKey ? -1 : 1)];
  input.dispatchEvent(new Event("change", { bubbles: true }));
  if (next) { next.focus(); next.select(); }
});
// A refused row comes back with status 422: swap it in anyway to show the error.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
});
