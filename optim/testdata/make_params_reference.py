# Reference behaviour for TestDuplicateParams and TestNoGradientSkipped (PyTorch 1.13):
# within a group a duplicate warns and is updated twice (0.8 after one SGD step of lr 0.1, grad 1);
# across groups it raises "some parameters appear in more than one parameter group";
# a parameter the loss never reaches keeps grad None and stays at 1.0 under momentum 0.9, weight_decay 0.1,
# while a zero (not None) gradient moves it to 0.944379 in 3 steps.
import torch, warnings
w = torch.nn.Parameter(torch.tensor([1.0]))
with warnings.catch_warnings(record=True) as ws:
    warnings.simplefilter("always")
    opt = torch.optim.SGD([w, w], lr=0.1)
    print("warnings:", [str(x.message) for x in ws])
print("groups params:", len(opt.param_groups[0]['params']))
w.grad = torch.tensor([1.0]); opt.step(); print("after step", w.item())
try:
    torch.optim.SGD([{'params':[w]},{'params':[w]}], lr=0.1)
except Exception as e: print("across:", type(e).__name__, e)
u = torch.nn.Parameter(torch.tensor([1.0])); x = torch.nn.Parameter(torch.tensor([1.0]))
opt = torch.optim.SGD([u, x], lr=0.1, momentum=0.9, weight_decay=0.1)
for i in range(3):
    opt.zero_grad(set_to_none=True)
    (x*2).sum().backward()
    opt.step()
print("unused u", u.item(), "grad", u.grad)
opt = torch.optim.SGD([u], lr=0.1, momentum=0.9, weight_decay=0.1)
for i in range(3):
    opt.zero_grad(set_to_none=False)
    u.grad = torch.zeros(1) if u.grad is None else u.grad
    opt.step()
print("zero-grad u", u.item())
print(torch.__version__)
