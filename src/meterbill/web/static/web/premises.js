// Premises forms: "Add a line" appends a blank row to a formset (apartment
// utilities, contract services) from its <template>, numbered after the last.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-add-row]");
  if (!button) { return; }
  event.preventDefault();
  var prefix = button.getAttribute("data-add-row");
  var total = document.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
  var template = document.getElementById(prefix + "-empty");
  var body = document.getElementById(prefix + "-rows");
  var html = template.innerHTML.replace(/__prefix__/g, total.value);
  body.insertAdjacentHTML("beforeend", html);
  total.value = String(Number(total.value) + 1);
});
