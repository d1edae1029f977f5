// Every htmx request carries the session's CSRF token (forms carry it as a hidden field).
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
});
// Keyboard: Enter on a focused table cell opens it like a click (htmx trigger filters would need
// eval, which the Content-Security-Policy forbids).
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches && event.target.matches("td.value")) event.target.click();
});
// Upload: files dropped on the zone go into the form's file input.
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("upload-files");
  if (!zone || !input) return;
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    input.files = e.dataTransfer.files;
    zone.querySelector("span").textContent = Array.from(input.files).map((f) => f.name).join("、");
  });
});
